"""The household import file names its columns by key or by title, in either language; the
template's titles follow the page's language."""

from __future__ import annotations

import pytest
from flask import session

from linkage.services import households
from linkage.services.households import ImportRejected

from ..factories_households import HEADER, counts, csv_file, csv_rows

KEYS = HEADER.split(",")


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def _in(app, language):
    context = app.test_request_context()
    context.push()
    session["locale"] = language
    return context


@pytest.fixture
def english(app):
    context = _in(app, "en")
    yield
    context.pop()


@pytest.fixture
def vietnamese(app):
    context = _in(app, "vi")
    yield
    context.pop()


def test_the_titles_cover_every_column():
    for language in ("vi", "en"):
        titles = households.column_titles(language)
        assert set(titles) == {*KEYS, "needs_review"}
        assert all(titles.values())
    assert households.column_titles("vi")["head_name"] == "Tên chủ hộ"
    assert households.column_titles("en")["head_name"] == "Head of household"


@pytest.mark.parametrize(
    "header",
    [
        ",".join(households.column_titles("vi")[key] for key in KEYS),
        ",".join(households.column_titles("en")[key] for key in KEYS),
        # titles as people retype them: no accents, other case, spaces around
        " ma ho , TEN CHU HO,Mã xã,so nhan khau,Dân tộc,tinh trang ngheo chinh thuc,"
        "Số chỉ số thiếu hụt,Thu nhập bình quân (đồng/người/tháng),Gia đình có công,dong y",
        # keys and titles mixed
        "code,Tên chủ hộ,commune_code,Members,ethnicity,official_status,deprivations,"
        "baseline_income_vnd,meritorious,Consent",
    ],
)
def test_titles_in_either_language_or_keys_are_read(vietnamese, manager, cooperative, header):
    assert households.import_households(manager, cooperative, csv_file(csv_rows(2), header=header))
    assert counts()[0] == 2


def test_an_unknown_title_is_named_with_the_expected_titles_of_the_page(
    vietnamese, manager, cooperative
):
    header = HEADER.replace("head_name", "Họ tên")
    with pytest.raises(ImportRejected) as caught:
        households.import_households(manager, cooperative, csv_file(csv_rows(1), header=header))
    messages = " ".join(error.message for error in caught.value.errors)
    assert "Họ tên" in messages
    assert "Tên chủ hộ" in messages  # missing, named by its Vietnamese title
    assert "Mã hộ (code)" in messages  # the hint names each column by title and key
    assert counts()[0] == 0


def test_the_hint_follows_an_english_page(english, manager, cooperative):
    header = HEADER.replace(",consent", "")
    with pytest.raises(ImportRejected) as caught:
        households.import_households(manager, cooperative, csv_file(csv_rows(1), header=header))
    messages = " ".join(error.message for error in caught.value.errors)
    assert "Missing columns: Consent." in messages
    assert "Household code (code)" in messages


def test_a_column_named_twice_by_key_and_title_is_refused(vietnamese, manager, cooperative):
    header = HEADER + ",Mã hộ"
    with pytest.raises(ImportRejected) as caught:
        households.import_households(
            manager, cooperative, csv_file(csv_rows(1).replace("\n", ",X\n"), header=header)
        )
    assert any("Mã hộ" in e.message and e.row == 1 for e in caught.value.errors)


@pytest.mark.parametrize(
    ("language", "first", "words"),
    [("vi", "Mã hộ,Tên chủ hộ,", ("nghèo", "có", "không")), ("en", "Household code,", ("poor",))],
)
def test_the_template_is_titled_in_the_language_asked(language, first, words):
    template = households.csv_template("08914", language)
    assert template.splitlines()[0].startswith(first)
    assert all(word in template for word in words)
