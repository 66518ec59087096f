"""Passwords: at least 10 characters, not among the 10,000 most common, no composition rules."""

from __future__ import annotations

import pytest

from linkage.services import accounts
from linkage.services.errors import Invalid


def test_the_common_list_is_shipped_with_the_project():
    common = accounts.common_passwords()
    assert len(common) == 10_000
    assert accounts.COMMON_PASSWORDS_FILE.is_file()
    assert {"123456", "password", "qwerty12345", "password12"} <= common


@pytest.mark.parametrize(
    "password", ["password12", "qwerty12345", "QWERTY12345", " 1234567890 ", "Iloveyou123"]
)
def test_common_passwords_are_refused_whatever_their_case(password):
    with pytest.raises(Invalid, match="most common") as refused:
        accounts.validate_password(password)
    assert refused.value.field == "password"


@pytest.mark.parametrize("password", ["", "short", "9characte"])
def test_short_passwords_are_refused(password):
    with pytest.raises(Invalid, match="at least 10 characters"):
        accounts.validate_password(password)


@pytest.mark.parametrize(
    "password",
    ["onlyletters", "hai que huong", "1928374655019", "demo-pass-2025", "ba kích đạo trù"],
)
def test_long_uncommon_passwords_need_no_digit_or_symbol(password):
    accounts.validate_password(password)
