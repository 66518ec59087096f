"""EPCIS 2.0 documents of lots validate against the official GS1 JSON Schema (DESIGN 7)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from linkage.extensions import db
from linkage.services import epcis
from linkage.services import trace as traces
from models import Household

from ..factories_trace import build_chain

SCHEMA_FILE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "epcis" / "EPCIS-JSON-Schema.json"
)
ROOT = "https://linkage.example/"
SECRET = "test-party-secret"
CREATED = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)


def _validator():
    """A Draft 7 validator of the GS1 schema with format checks; skips when the file is absent
    (fails in CI)."""
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA_FILE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the GS1 EPCIS schema is missing: {SCHEMA_FILE}")
        pytest.skip(f"the GS1 EPCIS schema is not here: {SCHEMA_FILE}")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = jsonschema.Draft7Validator
    checker = validator_class.FORMAT_CHECKER
    if not {"uri", "date-time"} <= set(checker.checkers):
        pytest.fail("format checks are off: install jsonschema[format-nongpl]")
    return validator_class(schema, format_checker=checker)


@pytest.fixture(scope="module")
def validator():
    return _validator()


def document_of(lot):
    trace = traces.trace_lot(lot, with_households=False, party_secret=SECRET)
    # through JSON, as the API sends it
    return json.loads(json.dumps(epcis.epcis_document(trace, ROOT, CREATED)))


def assert_valid(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert errors == [], "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def assert_no_household(document, households):
    text = json.dumps(document, ensure_ascii=False)
    for household in households:
        assert household.head_name not in text
        assert household.code not in text
        assert f'/party/{household.id}"' not in text
    assert "household" not in text.lower()


def test_the_format_checker_refuses_identifiers_that_are_not_uris(validator):
    """Guards the test itself: with the format packages missing, any string would pass."""
    bad = {
        "@context": epcis.GS1_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-04-10T10:00:00.000+07:00",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "action": "ADD",
                    "eventTime": "2026-04-10T10:00:00.000+07:00",
                    "eventTimeZoneOffset": "+07:00",
                    "quantityList": [{"epcClass": "lot-PT-001", "quantity": 1}],
                }
            ]
        },
    }
    messages = [error.message for error in validator.iter_errors(bad)]
    assert "'lot-PT-001' is not a 'uri'" in messages


def test_a_lot_with_collections_only(app, validator):
    chain = build_chain()
    document = document_of(chain.fresh_b)
    assert_valid(validator, document)
    assert (
        document["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    )
    assert (document["type"], document["schemaVersion"]) == ("EPCISDocument", "2.0")
    events = document["epcisBody"]["eventList"]
    received = [e for e in events if e.get("bizStep") == "receiving"]
    assert len(received) == 1
    event = received[0]
    assert (event["type"], event["action"]) == ("ObjectEvent", "ADD")
    assert event["quantityList"] == [
        {"epcClass": f"{ROOT}trace/{chain.fresh_b.code}", "quantity": 20, "uom": "KGM"}
    ]
    assert event["eventTime"] == "2026-01-20T09:30:00.000+07:00"
    assert event["eventTimeZoneOffset"] == "+07:00"
    assert event["sourceList"][0]["type"] == "owning_party"
    assert event["sourceList"][0]["source"].startswith(f"{ROOT}id/party/")
    assert event["readPoint"] == {"id": f"{ROOT}id/cooperative/{chain.cooperative.id}"}
    assert event["bizLocation"] == {"id": f"{ROOT}id/commune/08914"}
    assert len(event["certificationInfo"]) == 2
    assert_no_household(document, chain.households)


def test_a_lot_with_two_levels_of_processing(app, validator):
    chain = build_chain()
    document = document_of(chain.packed)
    assert_valid(validator, document)
    events = document["epcisBody"]["eventList"]
    assert [e["type"] for e in events] == ["ObjectEvent"] * 3 + ["TransformationEvent"] * 2 + [
        "ObjectEvent"
    ]
    drying, packing = events[3], events[4]
    assert drying["inputQuantityList"] == [
        {"epcClass": f"{ROOT}trace/{chain.fresh_a.code}", "quantity": 40, "uom": "KGM"},
        {"epcClass": f"{ROOT}trace/{chain.fresh_b.code}", "quantity": 20, "uom": "KGM"},
    ]
    assert drying["outputQuantityList"] == [
        {"epcClass": f"{ROOT}trace/{chain.dried.code}", "quantity": 18, "uom": "KGM"}
    ]
    assert drying["linkage:process"] == "drying"
    assert packing["linkage:process"] == "packing"
    assert drying["transformationID"] == f"{ROOT}id/transformation/{chain.drying.id}"
    # the VietGAP certificate had expired by February
    assert drying["certificationInfo"] == [f"{ROOT}id/certification/gacp_who/GACP-YDCT-2025%2F017"]
    times = [e["eventTime"] for e in events]
    assert times == sorted(times)
    assert_no_household(document, chain.households)


def test_a_lot_with_partial_shipments(app, validator):
    chain = build_chain()
    document = document_of(chain.dried)
    assert_valid(validator, document)
    shipped = [e for e in document["epcisBody"]["eventList"] if e.get("bizStep") == "shipping"]
    assert [(e["action"], e["quantityList"][0]["quantity"]) for e in shipped] == [
        ("OBSERVE", 4),
        ("OBSERVE", 5),
    ]
    assert shipped[0]["bizTransactionList"] == [
        {"type": "po", "bizTransaction": f"{ROOT}id/order/{chain.order_dried.id}"}
    ]
    assert shipped[1]["quantityList"][0]["epcClass"] == f"{ROOT}trace/{chain.packed.code}"
    assert_no_household(document, chain.households)


def test_fractional_quantities_are_json_numbers(app, validator):
    chain = build_chain()
    from ..factories_trace import JAN, collect, lot

    small = lot(chain.cooperative, "PT-BA-KICH-TUOI", "12.345", "12.345")
    collect(small, chain.households[0], "12.345", JAN)
    db.session.flush()
    document = document_of(small)
    assert_valid(validator, document)
    quantity = document["epcisBody"]["eventList"][0]["quantityList"][0]["quantity"]
    assert quantity == 12.345


def test_the_same_household_has_the_same_party_in_every_lot(app):
    chain = build_chain()
    other = db.session.get(Household, chain.households[0].id)
    from ..factories_trace import MAR, collect, lot

    second = lot(chain.cooperative, "PT-BA-KICH-TUOI", "5", "5")
    collect(second, other, "5", MAR)
    db.session.flush()
    first_party = document_of(chain.fresh_a)["epcisBody"]["eventList"][0]["sourceList"]
    second_party = document_of(second)["epcisBody"]["eventList"][0]["sourceList"]
    assert first_party == second_party


def test_a_trace_without_party_secret_cannot_be_exported(app):
    chain = build_chain()
    trace = traces.trace_lot(chain.fresh_a, with_households=False)
    with pytest.raises(ValueError):
        epcis.epcis_document(trace, ROOT, CREATED)
