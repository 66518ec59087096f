"""Manager pages to correct or void a delivery and void a payment, with reason and history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.valuechain import payments
from models import Collection, CollectionStatus, Lot, Payment, PaymentKind, RecordChange

from ..services.test_corrections import WHEN, delivered  # noqa: F401 (fixture)

REASON = "Cân nhầm, cân lại"


@pytest.fixture
def manager_client(client, delivered, login_as):  # noqa: F811
    login_as(user=delivered.manager)
    return client


def urls(delivered) -> dict[str, str]:  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative_id
    base = f"/manage/{coop}/collections/{delivered.from_b.id}"
    return {"page": base, "correct": f"{base}/correction", "void": f"{base}/void"}


def changes() -> int:
    return db.session.scalar(select(func.count()).select_from(RecordChange))


def test_the_lot_page_links_each_delivery_to_its_page(manager_client, delivered):  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative_id
    page = manager_client.get(f"/manage/{coop}/lots/{delivered.lot.id}").get_data(as_text=True)
    assert urls(delivered)["page"] in page


def test_the_delivery_page_offers_both_forms(manager_client, delivered):  # noqa: F811
    response = manager_client.get(urls(delivered)["page"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert urls(delivered)["correct"] in page
    assert urls(delivered)["void"] in page
    assert delivered.b.head_name in page
    assert 'name="void-confirm"' in page


def test_a_correction_through_the_form_keeps_the_old_values(manager_client, delivered):  # noqa: F811
    response = manager_client.post(
        urls(delivered)["correct"],
        data={
            "correct-household_id": str(delivered.b.id),
            "correct-quantity": "30",
            "correct-unit_price_vnd": "80000",
            "correct-collected_at": "2026-03-10",
            "correct-reason": REASON,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    collection = db.session.get(Collection, delivered.from_b.id)
    assert collection.quantity == Decimal("30")
    assert collection.status == CollectionStatus.CORRECTED
    assert collection.collected_at == WHEN  # the date was kept: so was its time
    page = manager_client.get(urls(delivered)["page"]).get_data(as_text=True)
    assert REASON in page
    assert "<del>40" in page


def test_a_correction_without_a_reason_writes_nothing(manager_client, delivered):  # noqa: F811
    response = manager_client.post(
        urls(delivered)["correct"],
        data={
            "correct-household_id": str(delivered.b.id),
            "correct-quantity": "30",
            "correct-unit_price_vnd": "80000",
            "correct-collected_at": "2026-03-10",
            "correct-reason": "abc",
        },
    )
    assert response.status_code == 422
    assert "error-summary" in response.get_data(as_text=True)
    assert changes() == 0


def test_a_correction_the_lot_cannot_absorb_answers_409(manager_client, delivered):  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative_id
    response = manager_client.post(
        f"/manage/{coop}/collections/{delivered.from_a.id}/correction",
        data={
            "correct-household_id": str(delivered.a.id),
            "correct-quantity": "5",
            "correct-unit_price_vnd": "80000",
            "correct-collected_at": "2026-03-10",
            "correct-reason": REASON,
        },
    )
    assert response.status_code == 409
    assert delivered.lot.code in response.get_data(as_text=True)
    assert changes() == 0


def test_a_void_needs_the_confirmation(manager_client, delivered):  # noqa: F811
    response = manager_client.post(urls(delivered)["void"], data={"void-reason": REASON})
    assert response.status_code == 422
    assert changes() == 0
    response = manager_client.post(
        urls(delivered)["void"], data={"void-reason": REASON, "void-confirm": "y"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Collection, delivered.from_b.id).is_void
    page = manager_client.get(urls(delivered)["page"]).get_data(as_text=True)
    assert urls(delivered)["void"] not in page  # nothing more to do with a void delivery
    assert REASON in page


def test_a_payment_is_voided_from_the_payments_list(manager_client, delivered):  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative
    surplus = payments.record_payment(
        delivered.manager, coop, delivered.a.id, 500_000, PaymentKind.SURPLUS, WHEN
    )
    db.session.commit()
    url = f"/manage/{coop.id}/payments/{surplus.id}/void"
    listing = manager_client.get(
        f"/manage/{coop.id}/payments?period_start=2026-03&period_end=2026-03"
    ).get_data(as_text=True)
    assert url in listing
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, data={"reason": REASON, "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Payment, surplus.id).is_void
    statement = manager_client.get(
        f"/manage/{coop.id}/households/{delivered.a.id}/statement"
        "?period_start=2026-03&period_end=2026-03"
    ).get_data(as_text=True)
    assert REASON in statement


def test_a_farmgate_payment_leads_to_its_delivery(manager_client, delivered):  # noqa: F811
    coop = db.session.get(Lot, delivered.lot.id).cooperative_id
    farmgate = db.session.scalars(
        select(Payment).where(Payment.collection_id == delivered.from_b.id)
    ).one()
    response = manager_client.get(f"/manage/{coop}/payments/{farmgate.id}/void")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(urls(delivered)["page"])


def test_another_cooperatives_manager_gets_404(client, delivered, login_as):  # noqa: F811
    other = login_as("manager")
    own = other.cooperatives[0].id
    for url in (
        urls(delivered)["page"],
        f"/manage/{own}/collections/{delivered.from_b.id}",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/manage/{own}/collections/{delivered.from_b.id}/void",
        data={"void-reason": REASON, "void-confirm": "y"},
    )
    assert response.status_code == 404
    assert changes() == 0


@pytest.mark.parametrize("role", ["buyer", "official"])
def test_other_roles_are_refused(client, delivered, login_as, role):  # noqa: F811
    login_as(role)
    assert client.get(urls(delivered)["page"]).status_code == 403


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Nothing to correct: the values are the same."),
        ("vi", "Không có gì để sửa: các giá trị vẫn như cũ."),
    ],
)
def test_a_correction_that_changes_nothing_says_so(manager_client, delivered, language, message):  # noqa: F811
    manager_client.get(f"/language/{language}")
    response = manager_client.post(
        urls(delivered)["correct"],
        data={
            "correct-household_id": str(delivered.b.id),
            "correct-quantity": "40",
            "correct-unit_price_vnd": "80000",
            "correct-collected_at": "2026-03-10",
            "correct-reason": REASON,
        },
    )
    assert response.status_code == 409  # the record already holds these values
    assert message in response.get_data(as_text=True)
    assert changes() == 0
