"""The GS1 EPCIS answers shared by the API and the manager's pages: the public document for
anyone, the managers' document (per-lot household pseudonyms) for a lot's own managers."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app
from flask_login import current_user

from linkage.extensions import db
from linkage.public_urls import public_root
from linkage.services import trace as traces
from linkage.services.trace import epcis
from models import Lot, utcnow


def party_secret() -> str:
    """The key of the households' opaque party ids: stable across workers and restarts."""
    return current_app.config.get("TRACE_PARTY_SECRET") or current_app.config["SECRET_KEY"]


# the same URL answers the public document or the managers' one: caches must key on the caller
VARY = ("Cookie", "Authorization")


def epcis_response(document: dict[str, Any], *, managers: bool) -> Response:
    """The JSON-LD answer; the managers' document is kept out of shared caches and stores."""
    response = current_app.response_class(
        json.dumps(document, ensure_ascii=False), mimetype=epcis.MEDIA_TYPE
    )
    for header in VARY:
        response.vary.add(header)
    if managers:
        response.cache_control.private = True
        response.cache_control.no_store = True
    else:  # the public document is the same for every caller, logged in or not
        response.cache_control.public = True
    return response


def managers_epcis(lot: Lot) -> Response:
    """The managers' EPCIS document of a lot (households as per-lot pseudonyms); audited."""
    trace = traces.trace_lot(lot, with_households=False, party_secret=party_secret())
    document = epcis.manager_document(trace, public_root(), utcnow())
    traces.record_epcis_export(current_user, lot)
    db.session.commit()
    return epcis_response(document, managers=True)
