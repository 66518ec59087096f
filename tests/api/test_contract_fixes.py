"""Regressions found by the contract sweep (test_schemathesis.py): the OpenAPI document lists
every status an operation answers, and allows no value that the service then refuses."""

from __future__ import annotations

from typing import Any

import pytest

from linkage.services.valuechain.checks import MAX_AMOUNT_VND, MAX_UNIT_PRICE_VND

from ..factories import HouseholdFactory, ListingFactory, MembershipFactory


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json


def responses(spec: dict[str, Any], path: str, method: str) -> set[str]:
    return set(spec["paths"][f"/api/v1{path}"][method]["responses"])


def test_guarded_operations_document_401_and_403(spec):
    assert {"401", "403"} <= responses(spec, "/cooperatives/{cooperative_id}/lots", "post")
    # any signed-in user may call: no 403
    assert "401" in responses(spec, "/me", "get")
    assert "403" not in responses(spec, "/me", "get")
    # public: neither
    assert not {"401", "403"} & responses(spec, "/communes", "get")


def test_operations_document_404_409_and_400(spec):
    assert {"404", "409", "400"} <= responses(spec, "/orders/{order_id}/ship", "post")
    assert "404" in responses(spec, "/lots/{lot_id}/trace", "get")
    # a commune or cooperative filter outside the official's scope answers 404
    assert "404" in responses(spec, "/impact/summary", "get")
    assert "404" in responses(spec, "/households/review", "get")
    # a body that is not JSON answers 400, on public operations too
    assert "400" in responses(spec, "/tokens", "post")
    assert "400" not in responses(spec, "/communes", "get")


def test_money_bounds_are_the_services(spec):
    schemas = spec["components"]["schemas"]
    amount = schemas["PaymentCreate"]["properties"]["amount_vnd"]
    assert (amount["minimum"], amount["maximum"]) == (1, MAX_AMOUNT_VND)
    for name in ("CollectionCreate", "Correction"):
        price = schemas[name]["properties"]["unit_price_vnd"]
        assert (price["minimum"], price["maximum"]) == (0, MAX_UNIT_PRICE_VND)


def test_a_payment_of_zero_is_refused_by_the_schema(client, make_user, bearer):
    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    household = HouseholdFactory()
    MembershipFactory(household=household, cooperative=cooperative)
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/payments",
        json={
            "household_id": household.id,
            "amount_vnd": 0,
            "kind": "surplus",
            "paid_at": "2026-03-01T08:00:00+07:00",
        },
        headers=bearer(manager),
    )
    assert response.status_code == 422
    assert "amount_vnd" in response.json["errors"]


@pytest.mark.parametrize(
    ("path", "factory"),
    [("/listings/{id}", "listing"), ("/households/{id}", "household")],
)
def test_patch_without_a_body_changes_nothing(client, make_user, bearer, path, factory):
    """The document says a PATCH body is optional: without one, nothing changes (200)."""
    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    if factory == "listing":
        record = ListingFactory(cooperative=cooperative)
    else:
        record = HouseholdFactory()
        MembershipFactory(household=record, cooperative=cooperative)
    from linkage.extensions import db

    db.session.commit()
    url = "/api/v1" + path.format(id=record.id)
    before = client.get(url, headers=bearer(manager)).json if factory == "household" else None
    response = client.patch(url, headers=bearer(manager))
    assert response.status_code == 200, response.json
    if before is not None:
        assert response.json == before


def test_a_quantity_above_zero_is_described_without_zero(spec):
    """A quantity that must be above zero: its string form excludes "0" and "0.000" in the
    document too, so that a request the document allows is not refused."""
    import re

    line = spec["components"]["schemas"]["OrderLineRequest"]["properties"]["quantity"]
    pattern = next(s["pattern"] for s in line["oneOf"] if s.get("type") == "string")
    assert not any(re.fullmatch(pattern, v) for v in ("0", "0.000", "00"))
    assert all(re.fullmatch(pattern, v) for v in ("1", "0.001", "10.5"))


def test_quantities_take_ascii_digits_only(client, make_user, bearer):
    """The document's pattern says [0-9]; other scripts' digits are refused (422)."""
    buyer = make_user("buyer")
    listing = ListingFactory()
    from linkage.extensions import db

    db.session.commit()
    response = client.post(
        "/api/v1/orders",
        json={"lines": [{"listing_id": listing.id, "quantity": "\u0663"}]},  # Arabic-Indic 3
        headers=bearer(buyer),
    )
    assert response.status_code == 422


def test_reclassify_takes_a_json_boolean_for_reviewed(client, make_user, bearer):
    """`reviewed` is a boolean in the document: 1 or "yes" are refused (422), not read as true."""
    household = HouseholdFactory()
    from linkage.extensions import db

    db.session.commit()
    headers = bearer(make_user("admin"))
    for value in (1, "yes", "true"):
        response = client.post(
            f"/api/v1/households/{household.id}/reclassify",
            json={"official_status": "near_poor", "reason": "Rà soát lại", "reviewed": value},
            headers=headers,
        )
        assert response.status_code == 422, value
        assert "reviewed" in response.json["errors"]


@pytest.mark.parametrize(
    ("schema", "field", "codes"),
    [
        ("CooperativeCreate", "commune_code", "COMMUNE_CODES"),
        ("HouseholdCreate", "commune_code", "COMMUNE_CODES"),
        ("HouseholdUpdate", "commune_code", "COMMUNE_CODES"),
        ("LotCreate", "product_code", "PRODUCT_CODES"),
        ("ListingCreate", "product_code", "PRODUCT_CODES"),
        ("ListingUpdate", "product_code", "PRODUCT_CODES"),
        ("SupportCreate", "purpose_product_code", "PRODUCT_CODES"),
    ],
)
def test_reference_codes_are_listed_in_the_document(spec, schema, field, codes):
    """A commune or product code in a body is one of the reference files' codes (an enum),
    so a request the document allows never names a commune or product that does not exist."""
    from linkage.schemas import codes as reference
    from linkage.seed.reference import data_rows

    wanted = getattr(reference, codes)
    csv = "communes.csv" if codes == "COMMUNE_CODES" else "products.csv"
    assert set(wanted) == {row["code"] for row in data_rows(csv)}
    assert "08914" in reference.COMMUNE_CODES
    described = spec["components"]["schemas"][schema]["properties"][field]
    assert set(described["enum"]) - {None} == set(wanted)


def test_an_unknown_commune_or_product_is_refused_by_the_schema(client, make_user, bearer):
    """A code of the right shape that names nothing is outside the document: 422 on the
    field, before any service is asked."""
    from linkage.extensions import db

    admin = make_user("admin")
    manager = make_user("manager")
    db.session.commit()
    response = client.post(
        "/api/v1/cooperatives",
        json={"name": "HTX Thử", "commune_code": "99999", "registration_no": "R-1"},
        headers=bearer(admin),
    )
    assert response.status_code == 422
    assert "commune_code" in response.json["errors"]
    cooperative = manager.cooperatives[0]
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/lots",
        json={"product_code": "PT-NOTHING"},
        headers=bearer(manager),
    )
    assert response.status_code == 422
    assert "product_code" in response.json["errors"]


def test_the_support_import_documents_404_for_a_commune_out_of_scope(spec):
    assert "404" in responses(spec, "/supports/import", "post")


def test_moments_are_years_2000_to_2099_in_the_document(spec):
    """A date-time the API reads is described with its year's bounds (a pattern)."""
    import re

    schemas = spec["components"]["schemas"]
    for name, field in (("CollectionCreate", "collected_at"), ("PaymentCreate", "paid_at")):
        pattern = schemas[name]["properties"][field]["pattern"]
        assert re.match(pattern, "2026-03-01T08:00:00+07:00")
        assert not re.match(pattern, "1999-12-31T08:00:00+07:00")
        assert not re.match(pattern, "2100-01-01T08:00:00+07:00")


def test_a_moment_in_the_future_is_a_conflict(client, make_user, bearer):
    """ "In the future" is a rule about the present that no document can say: 409."""
    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    household = HouseholdFactory()
    MembershipFactory(household=household, cooperative=cooperative)
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/payments",
        json={
            "household_id": household.id,
            "amount_vnd": 1000,
            "kind": "surplus",
            "paid_at": "2098-03-01T08:00:00+07:00",
        },
        headers=bearer(manager),
    )
    assert response.status_code == 409
    assert "paid_at" in response.json["errors"]


def test_a_quantity_as_a_json_number_is_rounded_to_3_decimals(spec):
    """A JSON number cannot always say 3 decimals exactly (0.1 + 0.2): it is rounded, and its
    bounds in the document stay allowed once rounded; a string stays exact."""
    from decimal import Decimal

    from marshmallow import ValidationError

    from linkage.schemas.common import QuantityField

    field = QuantityField(exclusive=True)
    assert field.deserialize(0.1 + 0.2) == Decimal("0.300")
    assert field.deserialize(1.2345) == Decimal("1.235")
    with pytest.raises(ValidationError):
        field.deserialize("1.2345")
    with pytest.raises(ValidationError):
        field.deserialize(0.0004)  # would round to 0: below the document's minimum
    line = spec["components"]["schemas"]["OrderLineRequest"]["properties"]["quantity"]
    number = next(s for s in line["oneOf"] if s.get("type") == "number")
    assert number["minimum"] == 0.001 and number["maximum"] == 99999999999.999
    assert "exclusiveMaximum" not in number


def test_payment_and_shipment_rules_on_the_order_are_conflicts(client, make_user, bearer):
    """A payment date before the order was placed and lots that do not add up to a line are
    refused by the order's records: 409, not 422."""
    from linkage.extensions import db
    from models import OrderStatus

    from ..factories_orders import accepted, make_lot, make_market, order_in

    market = make_market(make_user)
    lot = make_lot(market.cooperative, "50", households=3)
    headers = bearer(market.manager)
    order = accepted(market, "10")
    line = order.lines[0]
    response = client.post(
        f"/api/v1/orders/{order.id}/ship",
        json={"allocations": [{"line_id": line.id, "lot_id": lot.id, "quantity": "9"}]},
        headers=headers,
    )
    assert response.status_code == 409, response.json
    assert "allocations" in response.json["errors"]
    delivered = order_in(OrderStatus.DELIVERED, market, lot)
    db.session.commit()
    response = client.post(
        f"/api/v1/orders/{delivered.id}/pay",
        json={"paid_at": "2001-01-01T08:00:00+07:00"},
        headers=headers,
    )
    assert response.status_code == 409, response.json
    assert "paid_at" in response.json["errors"]


def test_a_certification_of_another_cooperative_is_not_found(client, make_user, bearer):
    """Another cooperative's certification is not the caller's to name: 404, like a record
    outside the caller's scope (the id itself is one the document allows)."""
    from linkage.extensions import db

    from ..factories_listings import CertificationFactory

    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    other = CertificationFactory()
    db.session.commit()
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings",
        json={
            "product_code": "PT-BA-KICH-KHO",
            "title": "Ba kích khô",
            "unit_price_vnd": 250000,
            "quantity_available": "10",
            "certifications": [other.id],
        },
        headers=bearer(manager),
    )
    assert response.status_code == 404
    assert "certifications" in response.json["errors"]
