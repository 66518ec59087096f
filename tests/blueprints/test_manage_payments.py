"""Manager pages of payments (list with totals, record one) and the household statement."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services import valuechain
from linkage.services.periods import current_month
from linkage.services.valuechain import payments
from models import AuditAction, AuditEntry, Payment, PaymentKind

from ..audit_entries import RECORD_ENTRIES, record_entries
from ..factories_valuechain import lot_of, member_of

JAN_31_EVENING = datetime(2026, 1, 31, 20, 0, tzinfo=UTC)  # 1 February in Vietnam


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the tests read the source messages (Vietnamese is the default)."""
    with client.session_transaction() as session:
        session["locale"] = "en"


@pytest.fixture
def manager(login_as):
    return login_as("manager")


@pytest.fixture
def coop(manager):
    return manager.cooperatives[0]


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _routes(coop_id: int, household_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/manage/{coop_id}/payments"),
        ("GET", f"/manage/{coop_id}/payments/new"),
        ("POST", f"/manage/{coop_id}/payments/new"),
        ("GET", f"/manage/{coop_id}/households/{household_id}/statement"),
    ]


# --- access -------------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, make_user):
    coop = make_user("manager").cooperatives[0]
    household = member_of(coop)
    db.session.commit()
    for method, url in _routes(coop.id, household.id):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["buyer", "official"])
def test_other_roles_are_forbidden(client, login_as, make_user, role):
    coop = make_user("manager").cooperatives[0]
    household = member_of(coop)
    db.session.commit()
    login_as(role)
    for method, url in _routes(coop.id, household.id):
        assert client.open(url, method=method).status_code == 403, url


def test_a_manager_gets_404_for_another_cooperative(client, coop, make_user):
    other = make_user("manager").cooperatives[0]
    theirs = member_of(other)
    db.session.commit()
    for method, url in _routes(other.id, theirs.id):
        assert client.open(url, method=method).status_code == 404, url
    # their household through my cooperative's address: still 404, nothing revealed
    response = client.get(f"/manage/{coop.id}/households/{theirs.id}/statement")
    assert response.status_code == 404
    assert theirs.head_name not in response.get_data(as_text=True)
    assert count(RECORD_ENTRIES) == 0


# --- list and totals ----------------------------------------------------------------------------


def test_payments_page_defaults_to_this_month_with_an_empty_state(client, coop):
    page = client.get(f"/manage/{coop.id}/payments").get_data(as_text=True)
    assert "No payments in this period" in page
    assert f'value="{current_month()}"' in page


def test_payments_page_lists_and_totals_by_kind_and_month(client, manager, coop):
    household = member_of(coop, head_name="Đặng Thị Xuân")
    lot = lot_of(coop)
    valuechain.record_collection(manager, lot, household.id, Decimal("10"), 100_000, JAN_31_EVENING)
    payments.record_payment(
        manager, coop, household.id, 250_000, "surplus", datetime(2026, 1, 5, 3, tzinfo=UTC)
    )
    db.session.commit()

    page = client.get(
        f"/manage/{coop.id}/payments?period_start=2026-01&period_end=2026-02"
    ).get_data(as_text=True)

    assert "Đặng Thị Xuân" in page
    # the January row has the surplus only; the delivery of 31 January 20:00 UTC is February's
    january = page.split('<th scope="row" data-month="2026-01">Jan 2026</th>')[1].split("</tr>")[0]
    february = page.split('<th scope="row" data-month="2026-02">Feb 2026</th>')[1]
    february = february.split("</tr>")[0]
    assert "250,000" in january and "1,000,000" not in january
    assert "1,000,000" in february
    assert "1,250,000" in page  # the period's total
    only_surplus = client.get(
        f"/manage/{coop.id}/payments?period_start=2026-01&period_end=2026-02&kind=surplus"
    ).get_data(as_text=True)
    assert "1 payment" in only_surplus


def test_a_bad_period_is_explained(client, coop):
    response = client.get(f"/manage/{coop.id}/payments?period_start=2026-13")
    assert response.status_code == 422
    assert "YYYY-MM" in response.get_data(as_text=True)


# --- record a payment ---------------------------------------------------------------------------


def test_record_a_surplus_payment(client, manager, coop):
    household = member_of(coop)
    db.session.commit()
    form = client.get(f"/manage/{coop.id}/payments/new?household_id={household.id}")
    assert f'<option selected value="{household.id}"' in form.get_data(as_text=True)

    response = client.post(
        f"/manage/{coop.id}/payments/new",
        data={
            "household_id": str(household.id),
            "kind": "surplus",
            "amount_vnd": "1,500,000",  # as typed on an English page
            "paid_at": "2026-01-20",
            "note": "Chia lãi năm 2025",
        },
    )

    assert response.status_code == 303
    assert "period_start=2026-01" in response.headers["Location"]
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.kind, payment.amount_vnd, payment.note) == (
        PaymentKind.SURPLUS,
        1_500_000,
        "Chia lãi năm 2025",
    )
    entry = db.session.scalars(record_entries()).one()
    assert (entry.entity_type, entry.actor_id) == ("payment", manager.id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount_vnd": ""}, "Enter the amount"),
        ({"amount_vnd": "0"}, "greater than zero"),
        ({"amount_vnd": "1,5 triệu"}, "Enter a number, for example 150,000."),
        ({"amount_vnd": "1.500.000"}, "did you mean 1,500,000?"),
        ({"kind": "farmgate"}, "Not a valid choice"),
        ({"household_id": ""}, "Choose the household paid."),
        ({"paid_at": "2999-01-01"}, "future"),
        ({"note": "x" * 1001}, "too long"),
    ],
)
def test_bad_payments_show_the_error_and_write_nothing(client, coop, change, message):
    household = member_of(coop)
    db.session.commit()
    data = {
        "household_id": str(household.id),
        "kind": "other",
        "amount_vnd": "100000",
        "paid_at": "2026-01-20",
        **change,
    }
    response = client.post(f"/manage/{coop.id}/payments/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (count(Payment), count(RECORD_ENTRIES)) == (0, 0)


# --- statement ----------------------------------------------------------------------------------


def test_household_statement_is_printable_and_complete(client, manager, coop):
    household = member_of(coop, head_name="Triệu Văn Sinh")
    neighbour = member_of(coop, head_name="Bàn Văn Lìn")
    lot = lot_of(coop)
    valuechain.record_collection(
        manager, lot, household.id, Decimal("12.5"), 120_000, datetime(2026, 1, 10, 3, tzinfo=UTC)
    )
    valuechain.record_collection(
        manager, lot, household.id, Decimal("1.235"), 10_001, JAN_31_EVENING
    )
    valuechain.record_collection(manager, lot, neighbour.id, Decimal("99"), 100_000, JAN_31_EVENING)
    valuechain.record_collection(
        manager, lot, household.id, Decimal("7"), 100_000, datetime(2026, 4, 2, 3, tzinfo=UTC)
    )
    payments.record_payment(
        manager,
        coop,
        household.id,
        800_000,
        "surplus",
        datetime(2026, 3, 20, 3, tzinfo=UTC),
        "Chia lãi",
    )
    db.session.commit()
    audits_before = count(RECORD_ENTRIES)
    with client.session_transaction() as session:
        session["locale"] = "vi"  # the statement is for the household: in Vietnamese

    response = client.get(
        f"/manage/{coop.id}/households/{household.id}/statement?period_start=2026-01&period_end=2026-03"
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'href="/static/css/print\.css\?v=[0-9a-f]{12}" media="print"', page)
    assert "Triệu Văn Sinh" in page and household.code in page
    assert "Bàn Văn Lìn" not in page
    assert "Ba kích tươi" in page
    assert 'lang="vi"' in page and "What you delivered" not in page  # translated
    assert "1.500.000" in page and "12.351" in page  # each delivery's money
    assert "1.512.351" in page  # farmgate total
    assert "800.000" in page and "Chia lãi" in page
    assert "2.312.351" in page  # all the money paid
    assert "700.000" not in page  # April is outside the period
    assert "<script" not in page and "style=" not in page
    assert count(RECORD_ENTRIES) == audits_before + 1
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity_id) == (AuditAction.READ, str(household.id))


def test_statement_of_an_empty_period_says_so(client, coop):
    household = member_of(coop)
    db.session.commit()
    page = client.get(
        f"/manage/{coop.id}/households/{household.id}/statement?period_start=2025-01"
    ).get_data(as_text=True)
    assert "No deliveries in this period." in page
    assert "No other payments in this period." in page
