"""Probes for load balancers and orchestrators: `/healthz` (the process answers) and `/readyz`
(the database and the rate-limit storage answer too).

They load no user, set no cookie and are never rate limited: a probe every few
seconds must neither be refused nor count against anyone.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from linkage.extensions import db, limiter
from linkage.security import PUBLIC, allow

log = logging.getLogger(__name__)

STATES = {True: "ok", False: "unavailable", None: "disabled"}

bp = Blueprint("health", __name__)
limiter.exempt(bp)


def _answer(body: dict[str, str], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.cache_control.no_store = True  # a probe must see the present, not a cached past
    if status == 503:
        response.headers["Retry-After"] = "10"
    return response


def database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError as error:
        log.warning("Readiness: the database does not answer: %s", error)
        return False
    finally:
        db.session.rollback()


def rate_limit_storage_answers() -> bool | None:
    """The storage of the rate limits (Redis, or this process's memory) answers; None when
    rate limiting is switched off."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    try:
        return bool(limiter.storage.check())
    except Exception as error:  # any client error means "not ready", never a 500
        log.warning("Readiness: the rate-limit storage does not answer: %s", error)
        return False


@bp.route("/healthz")
@allow(PUBLIC)
def healthz() -> Response:
    return _answer({"status": "ok"}, 200)


@bp.route("/readyz")
@allow(PUBLIC)
def readyz() -> Response:
    checks = {
        "database": database_answers(),
        "rate_limit_storage": rate_limit_storage_answers(),
    }
    body = {name: STATES[ok] for name, ok in checks.items()}
    ready = all(ok is not False for ok in checks.values())
    body["status"] = "ok" if ready else "unavailable"
    return _answer(body, 200 if ready else 503)
