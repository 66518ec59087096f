"""Throttling password guesses, per address and per account, in Flask-Limiter's storage.

The login form and `POST /api/v1/tokens` share both counters, so a guesser gains nothing by
switching between them:

- per address: at most `LOGIN_RATE_LIMIT` failed attempts (20 a minute);
- per account (by the email typed, known or not, so the answer tells nothing about who has
  an account): `LOGIN_ACCOUNT_FAILURES` failures within `LOGIN_ACCOUNT_WINDOW` lock the
  account for that window, and each further lock within a day doubles it (15 min, 30 min,
  1 h, ...), up to `LOGIN_LOCKOUT_MAX`. A successful login clears the failures.

The counters live where Flask-Limiter keeps its own (`RATELIMIT_STORAGE_URI`): Redis when it
is set, so that every worker sees them; process memory otherwise (a single process). When the
storage cannot be reached, counting goes on in process memory with a logged warning, so that
logging in keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage, Storage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from linkage.extensions import limiter

log = logging.getLogger(__name__)
DAY = 24 * 3600

_fallback_storage = MemoryStorage()
_fallback_limiter = FixedWindowRateLimiter(_fallback_storage)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused before its password is even checked, and for how long."""

    reason: str  # "address" or "account"
    retry_after: int  # seconds


def _strategy() -> RateLimiter:
    return limiter.limiter


def _prefix() -> str:
    return current_app.config.get("RATELIMIT_KEY_PREFIX") or ""


def _account_key(email: str, what: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"{_prefix()}login/account/{digest}/{what}"


def _address() -> str:
    return get_remote_address() or "unknown"


def _limits() -> list:
    return parse_many(current_app.config["LOGIN_RATE_LIMIT"])


def _enabled() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def _run(action, fallback):  # type: ignore[no-untyped-def]
    """Run against the configured storage; on a storage failure, count in memory."""
    try:
        return action(_strategy())
    except Exception:
        log.warning(
            "Rate-limit storage unreachable: counting login failures in memory", exc_info=True
        )
        return fallback(_fallback_limiter)


def check(email: str) -> Refusal | None:
    """A refusal when this address or this account may not try now, else None."""
    if not _enabled():
        return None

    def refusal(strategy: RateLimiter) -> Refusal | None:
        now = time.time()
        for item in _limits():
            if not strategy.test(item, _prefix() + "login/address", _address()):
                reset = strategy.get_window_stats(item, _prefix() + "login/address", _address())
                return Refusal("address", max(1, math.ceil(reset.reset_time - now)))
        storage: Storage = strategy.storage
        if storage.get(_account_key(email, "locked")) > 0:
            until = storage.get_expiry(_account_key(email, "locked"))
            return Refusal("account", max(1, math.ceil(until - now)))
        return None

    return _run(refusal, refusal)


def failed(email: str, *, account: bool = True) -> None:
    """Count a failed attempt against the address and (unless it is locked already) the
    account; lock the account when it has failed too often (each lock within a day twice as
    long as the one before)."""
    if not _enabled():
        return
    config = current_app.config
    window = int(config["LOGIN_ACCOUNT_WINDOW"].total_seconds())
    longest = int(config["LOGIN_LOCKOUT_MAX"].total_seconds())

    def count(strategy: RateLimiter) -> None:
        for item in _limits():
            strategy.hit(item, _prefix() + "login/address", _address())
        if not account:
            return
        storage: Storage = strategy.storage
        failures = storage.incr(_account_key(email, "failures"), window)
        if failures < config["LOGIN_ACCOUNT_FAILURES"]:
            return
        locks = storage.incr(_account_key(email, "locks"), DAY)
        storage.clear(_account_key(email, "failures"))
        storage.clear(_account_key(email, "locked"))
        storage.incr(_account_key(email, "locked"), min(longest, window * 2 ** (locks - 1)))

    _run(count, count)


def succeeded(email: str) -> None:
    """The account's owner got in: their earlier failures no longer count."""
    if not _enabled():
        return

    def clear(strategy: RateLimiter) -> None:
        strategy.storage.clear(_account_key(email, "failures"))

    _run(clear, clear)
