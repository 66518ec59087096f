"""Password guesses are throttled per account (with a lock that grows) and per address, the
login page and the token endpoint counting together."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from linkage import throttling
from linkage.extensions import db, limiter

from .conftest import PASSWORD, make_app

WRONG = "wrong-password-1"


@pytest.fixture
def limited(app, database_url) -> Iterator[Flask]:
    """An app with the login throttles on (the test settings turn rate limits off); built
    after the `app` fixture, which sets the shared limiter back to the test settings."""
    app = make_app(database_url, RATELIMIT_ENABLED=True)
    yield app
    with app.app_context():
        db.engine.dispose()


def _form(client, email: str, password: str = WRONG, address: str = "198.51.100.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _api(client, email: str, password: str = WRONG, address: str = "198.51.100.1"):
    return client.post(
        "/api/v1/tokens",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def _unlock(app: Flask, email: str) -> None:
    """As if the lock had run out (the failures and the count of locks stay)."""
    with app.test_request_context():
        limiter.limiter.storage.clear(throttling._account_key(email, "locked"))


def test_five_failures_lock_the_account_for_15_minutes(limited, make_user):
    user = make_user("buyer")
    client = limited.test_client()
    codes = [_form(client, user.email).status_code for _ in range(5)]
    assert codes == [422] * 5
    locked = _form(client, user.email, PASSWORD)  # even the right password waits
    assert locked.status_code == 429
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60
    assert locked.mimetype == "text/html"
    page = locked.get_data(as_text=True)
    assert "Quá nhiều lần đăng nhập sai" in page or "Too many failed attempts" in page
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_each_further_lock_is_twice_as_long(limited, make_user):
    user = make_user("buyer")
    client = limited.test_client()
    waits = []
    for _ in range(3):
        for _ in range(5):
            _form(client, user.email)
        waits.append(int(_form(client, user.email).headers["Retry-After"]))
        _unlock(limited, user.email)
    assert [round(w / 60) for w in waits] == [15, 30, 60]


def test_the_longest_lock_is_bounded(limited, make_user):
    limited.config["LOGIN_LOCKOUT_MAX"] = limited.config["LOGIN_ACCOUNT_WINDOW"] * 2
    user = make_user("buyer")
    client = limited.test_client()
    waits = []
    for _ in range(3):
        for _ in range(5):
            _form(client, user.email)
        waits.append(int(_form(client, user.email).headers["Retry-After"]))
        _unlock(limited, user.email)
    assert [round(w / 60) for w in waits] == [15, 30, 30]


def test_the_form_and_the_api_count_together_per_account(limited, make_user):
    user = make_user("manager")
    client = limited.test_client()
    for _ in range(3):
        assert _form(client, user.email).status_code == 422
    assert _api(client, user.email.upper()).status_code == 401
    assert _api(client, user.email).status_code == 401
    refused = _api(client, user.email, PASSWORD)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert _form(client, user.email, PASSWORD).status_code == 429


def test_a_lock_on_one_account_leaves_the_others_alone(limited, make_user):
    """Behind one proxy address, one person's typos do not lock out everyone."""
    typo, colleague = make_user("buyer"), make_user("buyer")
    client = limited.test_client()
    for _ in range(5):
        _form(client, typo.email)
    assert _form(client, typo.email, PASSWORD).status_code == 429
    assert _form(client, colleague.email, PASSWORD).status_code == 302


def test_a_success_clears_the_failures(limited, make_user):
    user = make_user("buyer")
    client = limited.test_client()
    for _ in range(4):
        _form(client, user.email)
    assert _form(client, user.email, PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert _form(client, user.email).status_code == 422
    assert _form(client, user.email, PASSWORD).status_code == 302


def test_an_unknown_email_is_throttled_alike(limited, make_user):
    """The answers do not tell whether an account exists."""
    user = make_user("buyer")
    client = limited.test_client()
    known = [_api(client, user.email).status_code for _ in range(6)]
    unknown = [_api(client, "nobody@example.vn").status_code for _ in range(6)]
    assert known == unknown == [401] * 5 + [429]


def test_twenty_failures_a_minute_per_address(limited, make_user):
    client = limited.test_client()
    emails = [f"guess{n}@example.vn" for n in range(20)]
    codes = [_form(client, email).status_code for email in emails[:10]]
    codes += [_api(client, email).status_code for email in emails[10:]]
    assert set(codes) == {401, 422}
    user = make_user("buyer")
    refused = _form(client, user.email, PASSWORD)  # a 21st attempt, right or not
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert _form(client, user.email, PASSWORD, address="198.51.100.2").status_code == 302


def test_successful_logins_do_not_count_against_the_address(limited, make_user):
    limited.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    user = make_user("buyer")
    client = limited.test_client()
    for _ in range(3):
        assert _api(client, user.email, PASSWORD).status_code == 201


def test_throttling_is_off_when_rate_limits_are(client, make_user):
    user = make_user("buyer")
    for _ in range(8):
        assert _form(client, user.email).status_code == 422
    assert _form(client, user.email, PASSWORD).status_code == 302


def test_an_unreachable_storage_falls_back_to_memory(limited, make_user, monkeypatch, caplog):
    """Logging in keeps working, and the failures are still counted, with a warning."""

    class Broken:
        def __getattr__(self, name):
            raise ConnectionError("storage down")

    monkeypatch.setattr(throttling, "_strategy", lambda: Broken())
    monkeypatch.setattr(throttling, "_fallback_limiter", FixedWindowRateLimiter(MemoryStorage()))
    user = make_user("buyer")
    client = limited.test_client()
    with caplog.at_level("WARNING", logger="linkage.throttling"):
        assert _form(client, user.email, PASSWORD).status_code == 302
        client.post("/logout")
        for _ in range(5):
            assert _form(client, user.email).status_code == 422
        assert _form(client, user.email, PASSWORD).status_code == 429
    assert "counting login failures in memory" in caplog.text
