"""Policy support: who records which programme, the rules of its values, corrections and voids
with their history, and the figures a report reads (counted supports, purpose income)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services import supports
from linkage.services.errors import Conflict, DomainError, Invalid, NotFound, Unchanged
from linkage.services.periods import Month, Period, current_day
from linkage.services.valuechain.history import history
from models import (
    AuditEntry,
    ChangeAction,
    CollectionStatus,
    RecordChange,
    Support,
    SupportProgramme,
)

from ..factories_supports import (
    REASON,
    give,
    loan_data,
    paid_delivery,
    setting,
    surplus,
    variety_data,
)


@pytest.fixture
def place(app):
    return setting()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- who records what ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["official", "admin"])
def test_officials_and_admins_record_a_policy_loan(place, who):
    actor = getattr(place, who)
    support = supports.record_support(actor, place.household, loan_data())
    db.session.commit()
    assert (support.programme, support.amount_vnd, support.term_months) == (
        SupportProgramme.POLICY_LOAN,
        50_000_000,
        60,
    )
    assert support.purpose_product.code == "PT-BA-KICH-TUOI"
    assert support.recorded_by_id == actor.id
    assert support.status == CollectionStatus.RECORDED
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "support")).one()
    assert entry.new_values["amount_vnd"] == 50_000_000
    assert entry.new_values["programme"] == "policy_loan"
    assert entry.actor_id == actor.id


@pytest.mark.parametrize("programme", supports.MANAGER_PROGRAMMES)
def test_a_manager_records_what_a_cooperative_channels(place, programme):
    support = supports.record_support(
        place.manager, place.household, variety_data(programme=programme)
    )
    assert support.programme == programme
    assert support.term_months is None


@pytest.mark.parametrize(
    "programme",
    [
        SupportProgramme.POLICY_LOAN,
        SupportProgramme.HOUSING_REPAIR,
        SupportProgramme.HEALTH_INSURANCE,
    ],
)
def test_a_manager_cannot_record_what_the_commune_gives(place, programme):
    data = loan_data(programme=programme)
    if programme != SupportProgramme.POLICY_LOAN:
        data["term_months"] = None
    with pytest.raises(DomainError) as refused:
        supports.record_support(place.manager, place.household, data)
    assert refused.value.status == 403
    assert any(who in refused.value.message for who in ("officials", "cán bộ xã"))
    db.session.rollback()
    assert count(Support) == 0


@pytest.mark.parametrize(
    ("who", "whose"),
    [
        ("other_manager", "household"),  # a manager of another cooperative
        ("outside_official", "household"),  # an official of another commune
        ("official", "townsman"),  # a household outside the official's commune
        ("buyer", "household"),
    ],
)
def test_outside_scope_the_household_is_not_found(place, who, whose):
    with pytest.raises(NotFound):
        supports.record_support(getattr(place, who), getattr(place, whose), variety_data())


def test_programmes_offered_by_role(place):
    assert supports.programmes_for(place.official) == list(SupportProgramme)
    assert supports.programmes_for(place.manager) == list(supports.MANAGER_PROGRAMMES)
    assert supports.programmes_for(place.buyer) == []


# --- the rules of the values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term_months": None}, "term_months"),  # a loan has a term
        ({"term_months": 0}, "term_months"),
        ({"term_months": 601}, "term_months"),
        ({"amount_vnd": 0}, "amount_vnd"),  # a loan of nothing
        ({"amount_vnd": -1}, "amount_vnd"),
        ({"amount_vnd": 10**15 + 1}, "amount_vnd"),
        ({"amount_vnd": "50000000"}, "amount_vnd"),
        ({"received_on": date(1999, 12, 31)}, "received_on"),
        ({"received_on": None}, "received_on"),
        ({"purpose_product_code": "NO-SUCH-PRODUCT"}, "purpose_product_code"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "bad\x00note"}, "note"),
        ({"programme": "grant"}, "programme"),
    ],
)
def test_values_are_checked(place, change, field):
    with pytest.raises(Invalid) as refused:
        supports.record_support(place.official, place.household, loan_data(**change))
    assert refused.value.field == field
    db.session.rollback()
    assert count(Support) == 0


def test_a_date_in_the_future_is_a_conflict(place):
    """A rule about the present: 409, once the values are valid."""
    tomorrow = current_day() + timedelta(days=1)
    with pytest.raises(Conflict) as refused:
        supports.record_support(place.official, place.household, loan_data(received_on=tomorrow))
    assert refused.value.field == "received_on"
    with pytest.raises(Invalid) as refused:
        supports.record_support(
            place.official, place.household, loan_data(received_on=tomorrow, amount_vnd=-1)
        )
    assert refused.value.field == "amount_vnd"
    db.session.rollback()
    assert count(Support) == 0


def test_only_a_loan_has_a_term(place):
    with pytest.raises(Invalid) as refused:
        supports.record_support(place.official, place.household, variety_data(term_months=12))
    assert refused.value.field == "term_months"


def test_in_kind_support_may_have_no_value_and_no_product(place):
    support = supports.record_support(
        place.official,
        place.household,
        variety_data(
            programme=SupportProgramme.HEALTH_INSURANCE,
            amount_vnd=0,
            purpose_product_code=None,
            note="  ",
        ),
    )
    assert (support.amount_vnd, support.purpose_product_id, support.note) == (0, None, None)


# --- corrections and voids --------------------------------------------------------------------


def test_a_correction_keeps_the_old_values(place):
    support = give(place.official, place.household)
    db.session.commit()
    supports.correct_support(
        place.official, support, REASON, {"amount_vnd": 40_000_000, "term_months": 36}
    )
    db.session.commit()
    assert (support.amount_vnd, support.term_months) == (40_000_000, 36)
    assert support.status == CollectionStatus.CORRECTED
    [change] = history("support", support.id)
    assert change.action == ChangeAction.CORRECT
    assert change.reason == REASON
    assert change.old_values == {"amount_vnd": 50_000_000, "term_months": 60}
    assert change.new_values == {"amount_vnd": 40_000_000, "term_months": 36}
    assert change.changed_by_id == place.official.id
    audited = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "support", AuditEntry.reason == REASON)
    ).one()
    assert audited.old_values == {"amount_vnd": 50_000_000, "term_months": 60}


def test_a_loan_corrected_into_another_programme_drops_its_term(place):
    support = give(place.official, place.household)
    supports.correct_support(
        place.official, support, REASON, {"programme": SupportProgramme.CROP_VARIETY}
    )
    assert (support.programme, support.term_months) == (SupportProgramme.CROP_VARIETY, None)
    [change] = history("support", support.id)
    assert change.old_values == {"programme": "policy_loan", "term_months": 60}
    assert change.new_values == {"programme": "crop_variety", "term_months": None}


def test_the_product_and_the_date_are_corrected_too(place):
    support = give(place.official, place.household)
    supports.correct_support(
        place.official,
        support,
        REASON,
        {"purpose_product_code": "PT-BA-KICH-KHO", "received_on": date(2026, 2, 1)},
    )
    [change] = history("support", support.id)
    assert change.old_values == {
        "received_on": "2026-03-10",
        "purpose_product_code": "PT-BA-KICH-TUOI",
    }
    assert change.new_values == {
        "received_on": "2026-02-01",
        "purpose_product_code": "PT-BA-KICH-KHO",
    }


@pytest.mark.parametrize(
    ("reason", "changes", "error"),
    [
        (REASON, {"amount_vnd": 50_000_000}, Unchanged),  # the record holds these values
        ("ngắn", {"amount_vnd": 1}, Invalid),  # a reason of fewer than 5 characters
        (REASON, {"term_months": None}, Conflict),  # the record is a loan: it keeps a term
        (REASON, {"amount_vnd": 0}, Conflict),  # the record is a loan: of more than nothing
        # the correction itself gives a loan without a term, or a term to another programme
        (REASON, {"programme": SupportProgramme.POLICY_LOAN, "term_months": None}, Invalid),
        (REASON, {"programme": SupportProgramme.OTHER, "term_months": 12}, Invalid),
        (REASON, {"received_on": current_day() + timedelta(days=1)}, Conflict),
    ],
)
def test_a_refused_correction_writes_nothing(place, reason, changes, error):
    support = give(place.official, place.household)
    db.session.commit()
    with pytest.raises(error):
        supports.correct_support(place.official, support, reason, changes)
    db.session.rollback()
    assert count(RecordChange) == 0
    assert db.session.get(Support, support.id).amount_vnd == 50_000_000


@pytest.mark.parametrize(
    ("amount", "changes", "field"),
    [
        (500_000, {"term_months": 12}, "term_months"),  # a term, and the record is no loan
        (500_000, {"programme": SupportProgramme.POLICY_LOAN}, "term_months"),  # none kept
        (0, {"programme": SupportProgramme.POLICY_LOAN, "term_months": 12}, "amount_vnd"),
    ],
)
def test_values_that_do_not_go_with_the_record_are_a_conflict(place, amount, changes, field):
    """The correction names one of the programme and the value, the record the other: 409."""
    kit = give(
        place.official,
        place.household,
        programme=SupportProgramme.HEALTH_INSURANCE,
        term_months=None,
        amount_vnd=amount,
    )
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        supports.correct_support(place.official, kit, REASON, changes)
    assert refused.value.field == field
    db.session.rollback()
    assert count(RecordChange) == 0


def test_a_manager_corrects_and_voids_only_what_a_cooperative_channels(place):
    loan = give(place.official, place.household)
    seedlings = supports.record_support(place.manager, place.household, variety_data())
    for change in (
        lambda: supports.correct_support(place.manager, loan, REASON, {"amount_vnd": 1}),
        lambda: supports.void_support(place.manager, loan, REASON),
        lambda: supports.correct_support(
            place.manager,
            seedlings,
            REASON,
            {"programme": SupportProgramme.POLICY_LOAN, "term_months": 12},
        ),
    ):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.status == 403
    supports.correct_support(place.manager, seedlings, REASON, {"amount_vnd": 3_000_000})
    assert seedlings.amount_vnd == 3_000_000


def test_another_cooperatives_manager_gets_not_found(place):
    support = give(place.official, place.household)
    with pytest.raises(NotFound):
        supports.get_support_for(place.other_manager, support.id)
    with pytest.raises(NotFound):
        supports.void_support(place.other_manager, support, REASON)
    assert supports.get_support_for(place.manager, support.id) == support


def test_a_void_support_is_kept_and_counts_nowhere(place):
    kept = give(place.official, place.household, amount_vnd=20_000_000)
    voided = give(place.official, place.household, received_on=date(2026, 1, 5))
    paid_delivery(place.coop, place.household, datetime(2026, 3, 20, tzinfo=UTC), 700_000)
    db.session.commit()
    supports.void_support(place.official, voided, REASON)
    db.session.commit()
    assert voided.status == CollectionStatus.VOID
    [change] = history("support", voided.id)
    assert change.action == ChangeAction.VOID
    assert change.old_values["status"] == "recorded"
    assert change.old_values["amount_vnd"] == 50_000_000
    assert change.new_values == {"status": "void"}

    counted = db.session.execute(supports.counted_supports()).all()
    assert [row.support_id for row in counted] == [kept.id]
    income = db.session.execute(supports.purpose_income()).all()
    assert [(row.support_id, row.purpose_income_vnd) for row in income] == [(kept.id, 700_000)]
    section = supports.support_section(place.household, Period(Month(2026, 1), Month(2026, 3)))
    assert [s.id for s in section.supports] == [kept.id, voided.id]  # shown, marked void
    assert section.counted_total_vnd == 20_000_000
    assert section.history(voided) == [change]

    with pytest.raises(Conflict):
        supports.void_support(place.official, voided, REASON)
    with pytest.raises(Conflict):
        supports.correct_support(place.official, voided, REASON, {"amount_vnd": 1})


# --- what a report reads --------------------------------------------------------------------


def test_purpose_income_counts_the_product_from_the_day_received(place):
    """Received on 10 March 2026 (Vietnam): income from that day's first minute on, of that
    product only, counted payments only, until the bound."""
    support = give(place.official, place.household)  # fresh ba kich, received 2026-03-10
    lot = None
    for moment, amount in (
        (datetime(2026, 3, 9, 16, 59, tzinfo=UTC), 1),  # 23:59 on 9 March in Vietnam
        (datetime(2026, 3, 9, 17, 0, tzinfo=UTC), 100_000),  # 00:00 on 10 March
        (datetime(2026, 4, 2, 3, 0, tzinfo=UTC), 200_000),
        (datetime(2026, 6, 1, 3, 0, tzinfo=UTC), 400_000),
    ):
        lot = paid_delivery(place.coop, place.household, moment, amount).collection.lot
    paid_delivery(place.coop, place.household, datetime(2026, 4, 3, tzinfo=UTC), 5, void=True)
    paid_delivery(
        place.coop, place.household, datetime(2026, 4, 4, tzinfo=UTC), 7, "PT-BA-KICH-KHO"
    )
    paid_delivery(place.coop, place.neighbour, datetime(2026, 4, 4, tzinfo=UTC), 9, lot=lot)
    surplus(place.coop, place.household, datetime(2026, 4, 5, tzinfo=UTC), 11)
    db.session.commit()

    def income(**kwargs):
        return {
            row.support_id: row.purpose_income_vnd
            for row in db.session.execute(supports.purpose_income(**kwargs))
        }

    assert income() == {support.id: 700_000}
    assert income(until=Month(2026, 5).starts_at) == {support.id: 300_000}
    assert income(programme=SupportProgramme.CROP_VARIETY) == {}


def test_a_support_without_purpose_product_has_no_purpose_income_row(place):
    give(place.official, place.household, purpose_product_code=None)
    assert db.session.execute(supports.purpose_income()).all() == []
    assert len(db.session.execute(supports.counted_supports()).all()) == 1


def test_the_section_shows_income_by_month_with_the_purpose_products_part(place):
    support = give(place.official, place.household)  # March 2026, fresh ba kich
    paid_delivery(place.coop, place.household, datetime(2026, 2, 27, 18, tzinfo=UTC), 100_000)
    paid_delivery(place.coop, place.household, datetime(2026, 3, 15, tzinfo=UTC), 300_000)
    paid_delivery(
        place.coop, place.household, datetime(2026, 3, 16, tzinfo=UTC), 50_000, "PT-BA-KICH-KHO"
    )
    surplus(place.coop, place.household, datetime(2026, 3, 31, 17, 30, tzinfo=UTC), 20_000)
    db.session.commit()
    section = supports.support_section(place.household, Period(Month(2026, 2), Month(2026, 4)))
    figures = [
        (str(m.month), m.platform_income_vnd, m.purpose_income_vnd, [s.id for s in m.supports])
        for m in section.months
    ]
    # 27 Feb 18:00 UTC is 28 Feb in Vietnam; 31 March 17:30 UTC is 1 April
    assert figures == [
        ("2026-02", 100_000, 100_000, []),
        ("2026-03", 350_000, 300_000, [support.id]),
        ("2026-04", 20_000, 0, []),
    ]
    assert (section.platform_income_vnd, section.purpose_income_vnd) == (470_000, 400_000)
    assert [p.code for p in section.purpose_products] == ["PT-BA-KICH-TUOI"]
