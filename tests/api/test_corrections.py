"""API of corrections and voids: GET /collections/{id}, /correction, /void, /payments/{id}/void."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.valuechain import payments
from models import IncomeAttribution, Lot, Payment, PaymentKind, RecordChange

from ..services.test_corrections import WHEN, attributed, delivered  # noqa: F401 (fixture)

PERIOD = {"period_start": "2026-01", "period_end": "2026-12"}
REASON = "Cân nhầm, cân lại"


@pytest.fixture
def auth(delivered, bearer):  # noqa: F811
    return bearer(delivered.manager)


def impact_of(client, headers, household_id: int) -> dict:
    body = client.get("/api/v1/impact/households", query_string=PERIOD, headers=headers).json
    return next(item for item in body["items"] if item["household_id"] == household_id)


def test_a_collection_with_its_status_and_history(client, delivered, auth):  # noqa: F811
    url = f"/api/v1/collections/{delivered.from_b.id}"
    body = client.get(url, headers=auth).json
    assert body["status"] == "recorded"
    assert body["history"] == []
    assert body["quantity"] == "40.000"
    assert body["amount_vnd"] == 3_200_000

    response = client.post(
        f"{url}/correction", json={"reason": REASON, "quantity": "30"}, headers=auth
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "corrected"
    assert body["quantity"] == "30.000"
    assert body["amount_vnd"] == 2_400_000
    [change] = body["history"]
    assert change["reason"] == REASON
    assert change["action"] == "correct"
    assert change["by"] == delivered.manager.name
    assert change["old"] == {"amount_vnd": 3_200_000, "quantity": "40.000"}
    assert change["new"] == {"amount_vnd": 2_400_000, "quantity": "30.000"}
    assert client.get(url, headers=auth).json == body


def test_a_void_is_followed_through_to_the_impact_figures(
    client,
    delivered,  # noqa: F811
    auth,
    make_user,
    bearer,
):
    official = bearer(make_user("official"))
    line = delivered.order.lines[0].amount_vnd
    before = impact_of(client, official, delivered.b.id)
    assert before["platform_income_vnd"] == 3_200_000
    assert before["attributed_sales_vnd"] == line * 40 // 100

    response = client.post(
        f"/api/v1/collections/{delivered.from_b.id}/void", json={"reason": REASON}, headers=auth
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "void"
    assert [c["action"] for c in response.json["history"]] == ["void"]

    after = impact_of(client, official, delivered.b.id)
    assert after["platform_income_vnd"] == 0
    assert after["attributed_sales_vnd"] == 0
    assert impact_of(client, official, delivered.a.id)["attributed_sales_vnd"] == line
    assert sum(attributed(delivered.order).values()) == line


def test_a_correction_the_lot_cannot_absorb_answers_409_and_writes_nothing(
    client,
    delivered,  # noqa: F811
    auth,
):
    response = client.post(
        f"/api/v1/collections/{delivered.from_a.id}/correction",
        json={"reason": REASON, "quantity": "5"},
        headers=auth,
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    db.session.expire_all()
    lot = db.session.get(Lot, delivered.lot.id)
    assert (lot.quantity_in, lot.quantity_remaining) == (Decimal("100"), Decimal("50"))
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0
    assert db.session.scalar(select(func.sum(IncomeAttribution.amount_vnd))) == (
        delivered.order.lines[0].amount_vnd
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "abc", "quantity": "30"},
        {"reason": REASON, "quantity": "1e3"},
        {"reason": REASON, "quantity": "-1"},
        {"reason": REASON, "unit_price_vnd": 1.5},
        {"reason": REASON, "household_id": 0},
        {"reason": REASON, "collected_at": "2026-03-10"},
        {"reason": REASON, "quantity": "1000000000.001"},  # above the value chain's bound
        {"reason": REASON, "quantity": 1000000001},
        {"reason": "Cân\nnhầm", "quantity": "30"},  # one line
        {"reason": "  ab c  ", "quantity": "30"},  # 4 characters once trimmed
    ],
)
def test_bad_corrections_answer_422(client, delivered, auth, body):  # noqa: F811
    response = client.post(
        f"/api/v1/collections/{delivered.from_b.id}/correction", json=body, headers=auth
    )
    assert response.status_code == 422, body
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


@pytest.mark.parametrize("body", [{"reason": REASON}, {"reason": REASON, "quantity": "40"}])
def test_a_correction_that_changes_nothing_is_409(client, delivered, auth, body):  # noqa: F811
    response = client.post(
        f"/api/v1/collections/{delivered.from_b.id}/correction",
        json=body,
        headers={**auth, "Accept-Language": "en"},
    )
    assert response.status_code == 409, response.json
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json["status"] == 409
    assert response.json["detail"] == "Nothing to correct: the values are the same."
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


def test_a_reason_may_hold_any_printed_character(client, delivered, auth):  # noqa: F811
    # not only what str.isprintable() takes: the one rule of linkage.plain_text (no C0 control)
    response = client.post(
        f"/api/v1/collections/{delivered.from_b.id}/correction",
        json={"reason": "\u3000Cân\x91 nhầm\u00a0\u200b", "quantity": "30"},
        headers=auth,
    )
    assert response.status_code == 200, response.json
    assert response.json["history"][0]["reason"] == "Cân\x91 nhầm\u00a0\u200b"


def test_the_document_states_the_reasons_rule(client):
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Correction"]
    reason = schema["properties"]["reason"]
    assert (reason["minLength"], reason["maxLength"]) == (5, 1000)
    assert re.fullmatch(reason["pattern"], "  Cân nhầm  ")
    assert not re.fullmatch(reason["pattern"], "  ab c  ")
    assert not re.fullmatch(reason["pattern"], "Cân\tnhầm")


def test_payments_void(client, delivered, auth):  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative
    surplus = payments.record_payment(
        delivered.manager, coop, delivered.a.id, 500_000, PaymentKind.SURPLUS, WHEN
    )
    db.session.commit()
    farmgate = db.session.scalars(
        select(Payment).where(Payment.collection_id == delivered.from_a.id)
    ).one()
    response = client.post(
        f"/api/v1/payments/{farmgate.id}/void", json={"reason": REASON}, headers=auth
    )
    assert response.status_code == 409
    response = client.post(
        f"/api/v1/payments/{surplus.id}/void", json={"reason": REASON}, headers=auth
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "void"
    assert response.json["voided_at"]
    assert response.json["history"][0]["reason"] == REASON
    again = client.post(
        f"/api/v1/payments/{surplus.id}/void", json={"reason": REASON}, headers=auth
    )
    assert again.status_code == 409


# admins act for any cooperative, as on every manager route (linkage.services.scope.manages)
@pytest.mark.parametrize("role", [None, "manager", "buyer", "official"])
def test_others_get_404_or_401(client, delivered, make_user, bearer, role):  # noqa: F811
    headers = bearer(make_user(role)) if role else {}
    farmgate = db.session.scalars(
        select(Payment).where(Payment.collection_id == delivered.from_a.id)
    ).one()
    calls = [
        ("GET", f"/api/v1/collections/{delivered.from_a.id}", None),
        (
            "POST",
            f"/api/v1/collections/{delivered.from_a.id}/correction",
            {"reason": REASON, "quantity": "61"},
        ),
        ("POST", f"/api/v1/collections/{delivered.from_b.id}/void", {"reason": REASON}),
        ("POST", f"/api/v1/payments/{farmgate.id}/void", {"reason": REASON}),
    ]
    expected = {None: 401, "manager": 404, "buyer": 403, "official": 403}[role]
    for method, url, body in calls:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == expected, (role, url, response.json)
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0
