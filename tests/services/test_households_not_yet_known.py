"""Honest defaults: an ethnicity or official status "not yet known" is stored as NULL, marks
the household for review, and is set later (with its history); the household search ignores
diacritics on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from flask import session

from linkage.extensions import db
from linkage.services import households
from linkage.services.errors import DomainError
from linkage.services.households import ImportRejected
from linkage.services.reclassification import reclassify
from models import AuditEntry, Household, OfficialStatus, OfficialStatusChange

from ..factories import CooperativeFactory
from ..factories_households import HEADER, counts, csv_file, household_data, member


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        session["locale"] = "en"
        yield


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


# --- register -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "unknown"),
    [
        ({"official_status": None}, "official_status"),
        ({"ethnicity": None}, "ethnic_group_code"),
        ({"official_status": "chưa rõ"}, "official_status"),
        ({"ethnicity": "not_yet_known"}, "ethnic_group_code"),
    ],
)
def test_not_yet_known_is_stored_as_null_and_needs_review(manager, cooperative, overrides, unknown):
    household = households.create_household(manager, cooperative, household_data(**overrides))
    db.session.commit()
    assert getattr(household, unknown) is None
    assert household.needs_review is True
    assert household.official_status_on is None
    created = db.session.scalars(db.select(AuditEntry).where(AuditEntry.entity_type == "household"))
    assert created.one().new_values[unknown] is None


def test_a_known_household_does_not_need_review(manager, cooperative):
    household = households.create_household(manager, cooperative, household_data())
    assert (household.needs_review, household.official_status_on) == (False, None)


def test_a_date_for_a_status_not_yet_known_is_refused(manager, cooperative):
    before = counts()
    data = household_data(official_status=None, official_status_on=date(2025, 1, 1))
    with pytest.raises(DomainError, match="Leave the date empty") as caught:
        households.create_household(manager, cooperative, data)
    db.session.rollback()
    assert (caught.value.status, caught.value.field) == (422, "official_status_on")
    assert counts() == before


@pytest.mark.parametrize("field", ["ethnicity", "official_status"])
def test_a_missing_value_is_not_taken_for_not_yet_known(manager, cooperative, field):
    data = household_data()
    del data[field]
    with pytest.raises(DomainError) as caught:
        households.create_household(manager, cooperative, data)
    assert (caught.value.status, caught.value.field) == (422, field)


# --- CSV ------------------------------------------------------------------------------------


def test_import_takes_chua_ro_as_not_yet_known(manager, cooperative):
    body = (
        "DT-1,Triệu Thị Mây,08914,5,chưa rõ,nghèo,4,1200000,không,có\n"
        "DT-2,Hà Văn Khởi,08914,2,Dao,Chưa rõ,1,950000,không,có\n"
        "DT-3,Lò Thị Ánh,08914,3,Mường,unknown,0,2500000,không,có\n"
        "DT-4,Lò Văn Ba,08914,3,Mường,cận nghèo,0,2500000,không,có\n"
    )
    assert households.import_households(manager, cooperative, csv_file(body)) == 4
    db.session.commit()
    rows = {h.code: h for h in db.session.scalars(db.select(Household))}
    assert rows["DT-1"].ethnic_group_code is None
    assert rows["DT-1"].official_status == OfficialStatus.POOR
    assert rows["DT-2"].official_status is None
    assert rows["DT-3"].official_status is None
    assert [rows[code].needs_review for code in ("DT-1", "DT-2", "DT-3", "DT-4")] == [
        True,
        True,
        True,
        False,
    ]
    assert all(h.official_status_on is None for h in rows.values())
    audit = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_id == str(rows["DT-2"].id))
    ).one()
    assert audit.new_values["official_status"] is None
    assert audit.new_values["needs_review"] is True


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("DT-1,Triệu Thị Mây,08914,5,,nghèo,4,1200000,không,có", "ethnicity"),
        ("DT-1,Triệu Thị Mây,08914,5,Dao,,4,1200000,không,có", "official_status"),
        ("DT-1,Triệu Thị Mây,08914,5,Dao", "official_status"),  # a short row
    ],
)
def test_import_refuses_an_empty_cell(manager, cooperative, row, field):
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        households.import_households(manager, cooperative, csv_file(row + "\n"))
    db.session.rollback()
    fields = {error.field for error in caught.value.errors}
    assert field in fields
    message = next(e.message for e in caught.value.errors if e.field == field)
    assert "chưa rõ" in message
    assert counts() == before


def test_the_template_and_its_header_still_match():
    titles = households.column_titles("vi")
    header = ",".join(titles[key] for key in HEADER.split(","))
    assert households.csv_template().splitlines()[0].startswith(header)


# --- set later ------------------------------------------------------------------------------


def _unknown(cooperative, **kwargs):
    values = {"official_status": None, "official_status_on": None, "needs_review": True}
    return member(cooperative, **{**values, **kwargs})


def test_a_manager_sets_a_status_not_yet_known(manager, cooperative):
    household = _unknown(cooperative)
    db.session.commit()
    households.update_household(
        manager, household, {"official_status": "near_poor", "official_status_on": None}
    )
    db.session.commit()
    household = db.session.get(Household, household.id)
    assert household.official_status == OfficialStatus.NEAR_POOR
    assert household.official_status_on is None  # no date given: it stays blank
    assert household.needs_review is False  # nothing else is unknown
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.status) == (None, OfficialStatus.NEAR_POOR)
    assert change.recorded_by_id == manager.id
    assert change.reason
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.old_values["official_status"] is None
    assert entry.new_values == {"official_status": "near_poor", "needs_review": False}


def test_the_review_mark_stays_while_something_else_is_unknown(manager, cooperative):
    household = _unknown(cooperative, ethnic_group_code=None)
    db.session.commit()
    households.update_household(manager, household, {"official_status": "poor"})
    assert household.needs_review is True
    households.update_household(manager, household, {"ethnicity": "Dao"})
    assert household.needs_review is False


def test_the_review_mark_stays_when_asked_for(manager, cooperative):
    household = _unknown(cooperative)
    db.session.commit()
    households.update_household(
        manager, household, {"official_status": "poor", "needs_review": True}
    )
    assert household.needs_review is True


def test_the_mark_cannot_be_lifted_while_something_is_unknown(manager, cooperative):
    household = _unknown(cooperative)
    db.session.commit()
    households.update_household(manager, household, {"needs_review": False, "members": 7})
    assert (household.needs_review, household.members) == (True, 7)


def test_a_known_ethnicity_set_to_not_yet_known_needs_review(manager, cooperative):
    household = member(cooperative)
    db.session.commit()
    households.update_household(manager, household, {"ethnicity": None})
    assert (household.ethnic_group_code, household.needs_review) == (None, True)


def test_another_reason_for_review_is_kept_when_nothing_was_unknown(manager, cooperative):
    household = member(cooperative, needs_review=True)  # a boundary change
    db.session.commit()
    households.update_household(manager, household, {"ethnicity": "Dao", "members": 6})
    assert household.needs_review is True


def test_a_date_with_a_status_left_unknown_is_refused(manager, cooperative):
    household = _unknown(cooperative)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        households.update_household(
            manager, household, {"official_status": None, "official_status_on": date(2025, 1, 1)}
        )
    assert caught.value.field == "official_status_on"


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_known_status_cannot_become_unknown(make_user, manager, cooperative, role):
    actor = manager if role == "manager" else make_user("admin")
    household = member(cooperative)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        households.update_household(actor, household, {"official_status": None, "reason": "x"})
    db.session.rollback()
    assert (caught.value.status, caught.value.field) == (409, "official_status")
    assert db.session.get(Household, household.id).official_status == OfficialStatus.POOR


def test_an_official_reclassifies_a_status_not_yet_known(make_user, cooperative):
    official = make_user("official", province_wide=True)
    household = _unknown(cooperative)
    db.session.commit()
    change = reclassify(official, household, OfficialStatus.POOR, "Danh sách xã 2025")
    db.session.commit()
    assert change.previous_status is None
    household = db.session.get(Household, household.id)
    assert (household.official_status, household.needs_review) == (OfficialStatus.POOR, False)
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.old_values == {
        "official_status": None,
        "official_status_on": None,
        "needs_review": True,
    }
    assert entry.new_values["needs_review"] is False


def test_reclassifying_keeps_the_mark_while_the_ethnicity_is_unknown(make_user, cooperative):
    official = make_user("official", province_wide=True)
    household = _unknown(cooperative, ethnic_group_code=None)
    db.session.commit()
    reclassify(official, household, OfficialStatus.POOR, "Danh sách xã 2025")
    assert household.needs_review is True


def test_an_ordinary_reclassification_keeps_the_review_mark(make_user, cooperative):
    official = make_user("official", province_wide=True)
    household = member(cooperative, needs_review=True)  # a boundary change
    db.session.commit()
    reclassify(official, household, OfficialStatus.NEAR_POOR, "Rà soát cuối năm")
    assert household.needs_review is True


# --- lists ----------------------------------------------------------------------------------


def test_counts_and_filter_of_status_not_yet_known(manager, cooperative):
    unknown = _unknown(cooperative)
    member(cooperative)
    db.session.commit()
    counts_ = households.household_counts(manager, cooperative)
    assert (counts_["not_yet_known"], counts_["total"], counts_["needs_review"]) == (1, 2, 1)
    found = db.session.scalars(
        households.households_query(manager, cooperative, status="not_yet_known")
    ).all()
    assert found == [unknown]
    to_review = db.session.scalars(
        households.households_query(manager, cooperative, needs_review=True)
    ).all()
    assert to_review == [unknown]


@pytest.mark.parametrize(
    "q", ["lien", "LIEN", "Liên", "thi lien", "DƯƠNG", "duong thi", "dt-07", "DT-07"]
)
def test_search_ignores_case_and_diacritics(manager, cooperative, q):
    lien = member(cooperative, code="DT-07", head_name="Dương Thị Liên")
    member(cooperative, code="DT-08", head_name="Lò Văn Ba")
    member(CooperativeFactory(), code="DT-070", head_name="Dương Thị Liên")  # not a member
    db.session.commit()
    found = db.session.scalars(households.households_query(manager, cooperative, q=q)).all()
    assert found == [lien]


@pytest.mark.parametrize("q", ["lan", "%", "_", "\\"])
def test_search_finds_nothing_else(manager, cooperative, q):
    member(cooperative, code="DT-07", head_name="Dương Thị Liên")
    db.session.commit()
    assert db.session.scalars(households.households_query(manager, cooperative, q=q)).all() == []
