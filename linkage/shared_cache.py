"""Figures kept for every visitor: computed once, shared by the requests (and, with Redis, by
the workers) for a few minutes.

`kept(key, compute, seconds)` answers the value kept under `key`, or computes it. One request
at a time computes a missing value: the first takes a short lock (`add`, atomic in Redis), the
others wait for its result instead of adding up the same province again. The cache is an
optimisation, never a point of failure: when Redis does not answer, the value is computed and
a warning is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from redis.exceptions import RedisError

from linkage.extensions import cache

T = TypeVar("T")
log = logging.getLogger(__name__)
LOCK_SECONDS = 60  # a computation that takes longer lets another request start one
WAIT_STEP = 0.05  # seconds between looks for the value another request computes


def kept(key: str, compute: Callable[[], T], seconds: int, *, wait: float = 30.0) -> T:
    try:
        value = cache.get(key)
        if value is not None:
            return value
        locked = cache.add(f"{key}:computing", 1, timeout=LOCK_SECONDS)
        if not locked:
            waited = _wait_for(key, wait)
            if waited is not None:
                return waited
    except RedisError as error:
        log.warning("cache unreachable, computing %s: %s", key, error)
        return compute()
    try:
        value = compute()
        _store(key, value, seconds)
        return value
    finally:
        _forget(f"{key}:computing")


def _wait_for(key: str, wait: float) -> object | None:
    """The value another request is computing, once it is there (None after `wait` s)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        value = cache.get(key)
        if value is not None:
            return value
    return None


def _store(key: str, value: object, seconds: int) -> None:
    try:
        cache.set(key, value, timeout=seconds)
    except RedisError as error:
        log.warning("cache unreachable, %s not kept: %s", key, error)


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except RedisError as error:
        log.warning("cache unreachable, %s not removed: %s", key, error)
