"""Households service: ethnicity names, register, edit, join, list, CSV import (all or nothing)."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, timedelta

import pytest
from flask import session

from linkage.extensions import db
from linkage.services import households
from linkage.services.errors import DomainError
from linkage.services.households import ImportRejected
from linkage.services.periods import current_day
from models import (
    AuditAction,
    AuditEntry,
    EthnicGroup,
    Household,
    Membership,
    OfficialStatus,
    OfficialStatusChange,
)

from ..factories import DAO_TRU, CooperativeFactory
from ..factories_households import HEADER, counts, csv_file, csv_rows, household_data, member


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are translated for the request's language: services run in an English one."""
    with app.test_request_context():
        session["locale"] = "en"
        yield


@pytest.fixture
def manager(make_user):
    return make_user("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


# --- ethnicity ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kinh", "01"),
        ("kinh", "01"),
        ("Mường", "06"),
        ("MƯỜNG", "06"),
        ("Muong", "06"),
        ("Mông", "08"),
        ("H'Mông", "08"),
        ("H’Mông", "08"),
        ("Hmong", "08"),
        ("hmông", "08"),
        ("Mnông", "20"),
        ("Sán Dìu", "18"),
        ("san diu", "18"),
        ("Ê Đê", "12"),
        ("e de", "12"),
        ("Bru-Vân Kiều", "23"),
        ("bru van kieu", "23"),
        ("  Tày ", "02"),
        ("Ba Na", "13"),
        (unicodedata.normalize("NFD", "Mường"), "06"),
    ],
)
def test_resolve_ethnicity_accepts_names_with_or_without_diacritics(text, code):
    assert households.resolve_ethnicity(text).code == code


def test_every_group_resolves_by_both_of_its_names():
    for group in db.session.scalars(db.select(EthnicGroup)):
        assert households.resolve_ethnicity(group.name_vi) is group
        assert households.resolve_ethnicity(group.name_ascii.upper()) is group
    assert len(households.ethnicity_index()) >= 54


@pytest.mark.parametrize("text", ["Klingon", "", "Kinhh"])
def test_resolve_ethnicity_refuses_unknown_names(text):
    with pytest.raises(DomainError) as caught:
        households.resolve_ethnicity(text)
    assert (caught.value.status, caught.value.field) == (422, "ethnicity")


# --- register -------------------------------------------------------------------------------


def test_create_household_records_consent_membership_and_audit(manager, cooperative):
    household = households.create_household(
        manager, cooperative, household_data(ethnicity="san diu", meritorious=True)
    )
    db.session.commit()
    assert household.ethnic_group_code == "18"
    assert household.ethnicity == "Sán Dìu"
    assert household.official_status == OfficialStatus.POOR
    assert household.official_status_on is None  # not given: it stays blank, not "today"
    assert household.consent_by_id == manager.id
    assert household.consent_at is not None
    assert household.meritorious is True
    assert household.needs_review is False
    membership = db.session.scalars(db.select(Membership)).one()
    assert (membership.household_id, membership.cooperative_id) == (household.id, cooperative.id)
    assert membership.joined_on == current_day()
    entries = {e.entity_type: e for e in db.session.scalars(db.select(AuditEntry))}
    assert set(entries) == {"household", "membership"}
    created = entries["household"]
    assert (created.action, created.actor_id, created.entity_id) == (
        AuditAction.CREATE,
        manager.id,
        str(household.id),
    )
    assert created.new_values["head_name"] == "Triệu Thị Mai"
    assert created.new_values["ethnic_group_code"] == "18"
    assert created.new_values["official_status"] == "poor"
    assert created.new_values["baseline_income_vnd"] == 1_100_000
    assert entries["membership"].new_values == {
        "household_id": household.id,
        "cooperative_id": cooperative.id,
        "joined_on": current_day().isoformat(),
    }


def test_create_household_keeps_given_dates(manager, cooperative):
    household = households.create_household(
        manager,
        cooperative,
        household_data(official_status_on=date(2025, 12, 1), joined_on=date(2024, 3, 8)),
    )
    assert household.official_status_on == date(2025, 12, 1)
    assert household.memberships[0].joined_on == date(2024, 3, 8)


FUTURE = current_day() + timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"code": "  "}, 422, "code"),
        ({"code": "X" * 41}, 422, "code"),
        ({"head_name": ""}, 422, "head_name"),
        ({"head_name": "Tên\x00"}, 422, "head_name"),
        ({"commune_code": "99999"}, 422, "commune_code"),
        ({"members": 0}, 422, "members"),
        ({"members": 100}, 422, "members"),
        ({"members": True}, 422, "members"),
        ({"ethnicity": "Klingon"}, 422, "ethnicity"),
        ({"official_status": "rich"}, 422, "official_status"),
        ({"deprivations": 13}, 422, "deprivations"),
        ({"deprivations": -1}, 422, "deprivations"),
        ({"baseline_income_vnd": -1}, 422, "baseline_income_vnd"),
        ({"consent": False}, 422, "consent"),
        ({"consent": None}, 422, "consent"),
        # rules about the present, which no document can express
        ({"official_status_on": FUTURE}, 409, "official_status_on"),
        ({"joined_on": FUTURE}, 409, "joined_on"),
    ],
)
def test_create_household_refuses_bad_values_and_writes_nothing(
    manager, cooperative, overrides, status, field
):
    before = counts()
    with pytest.raises(DomainError) as caught:
        households.create_household(manager, cooperative, household_data(**overrides))
    db.session.rollback()
    assert (caught.value.status, caught.value.field) == (status, field)
    assert counts() == before


def test_consent_message_is_clear(manager, cooperative):
    with pytest.raises(DomainError, match="consent is required"):
        households.create_household(manager, cooperative, household_data(consent=False))


def test_duplicate_code_is_a_conflict(manager, cooperative):
    member(CooperativeFactory(), code="DT-0001")
    db.session.commit()
    before = counts()
    with pytest.raises(DomainError) as caught:
        households.create_household(manager, cooperative, household_data())
    db.session.rollback()
    assert (caught.value.status, caught.value.field) == (409, "code")
    assert counts() == before


def test_manager_of_another_cooperative_cannot_register(manager):
    with pytest.raises(DomainError) as caught:
        households.create_household(manager, CooperativeFactory(), household_data())
    assert caught.value.status == 404


# --- edit -----------------------------------------------------------------------------------


def test_update_audits_only_the_changed_fields(manager, cooperative):
    household = member(cooperative, members=4, head_name="Triệu Văn A")
    db.session.commit()
    households.update_household(
        manager, household, {"members": 6, "head_name": "Triệu Văn A", "ethnicity": "Dao"}
    )
    db.session.commit()
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.action == AuditAction.UPDATE
    assert entry.old_values == {"members": 4}
    assert entry.new_values == {"members": 6}
    assert db.session.get(Household, household.id).members == 6


def test_update_without_changes_writes_no_audit(manager, cooperative):
    household = member(cooperative)
    db.session.commit()
    households.update_household(manager, household, {"members": household.members})
    assert counts()[2] == 0


@pytest.mark.parametrize("field", ["official_status", "official_status_on"])
def test_managers_cannot_change_the_official_status(manager, cooperative, field):
    household = member(cooperative, official_status=OfficialStatus.POOR)
    db.session.commit()
    value = "not_poor" if field == "official_status" else date(2025, 1, 1)
    with pytest.raises(DomainError) as caught:
        households.update_household(manager, household, {field: value, "members": 9})
    db.session.rollback()
    assert (caught.value.status, caught.value.field) == (409, "official_status")
    household = db.session.get(Household, household.id)
    assert (household.official_status, household.members) == (OfficialStatus.POOR, 4)


def test_admin_changes_the_official_status_with_a_reason(make_user, cooperative):
    admin = make_user("admin")
    household = member(cooperative, official_status=OfficialStatus.POOR)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        households.update_household(admin, household, {"official_status": "near_poor"})
    db.session.rollback()
    assert caught.value.field == "reason"
    household = db.session.get(Household, household.id)
    households.update_household(
        admin, household, {"official_status": "near_poor", "reason": "Rà soát cuối năm 2025"}
    )
    db.session.commit()
    assert household.official_status == OfficialStatus.NEAR_POOR
    assert household.official_status_on == current_day()
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.previous_status, change.status) == (OfficialStatus.POOR, "near_poor")
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.old_values["official_status"] == "poor"
    assert entry.new_values["official_status"] == "near_poor"
    assert entry.reason == "Rà soát cuối năm 2025"


def test_update_refuses_a_code_in_use_and_bad_values(manager, cooperative):
    member(cooperative, code="TAKEN")
    household = member(cooperative, code="MINE")
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        households.update_household(manager, household, {"code": "TAKEN"})
    assert (caught.value.status, caught.value.field) == (409, "code")
    with pytest.raises(DomainError) as caught:
        households.update_household(manager, household, {"deprivations": 20})
    assert (caught.value.status, caught.value.field) == (422, "deprivations")
    db.session.rollback()
    assert db.session.get(Household, household.id).code == "MINE"


def test_manager_cannot_edit_another_cooperatives_household(manager):
    household = member(CooperativeFactory())
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        households.update_household(manager, household, {"members": 2})
    assert caught.value.status == 404


# --- memberships ----------------------------------------------------------------------------


def test_manager_of_both_cooperatives_adds_a_membership(manager, cooperative):
    other = CooperativeFactory()
    manager.cooperatives.append(other)
    household = member(cooperative)
    db.session.commit()
    membership = households.add_membership(manager, household.id, other, date(2025, 6, 1))
    db.session.commit()
    assert (membership.cooperative_id, membership.joined_on) == (other.id, date(2025, 6, 1))
    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert (entry.entity_type, entry.entity_id) == ("membership", str(membership.id))
    with pytest.raises(DomainError) as caught:
        households.add_membership(manager, household.id, other)
    assert caught.value.status == 409


def test_adding_a_household_outside_scope_is_404(manager, cooperative):
    outsider = member(CooperativeFactory())
    db.session.commit()
    before = counts()
    with pytest.raises(DomainError) as caught:
        households.add_membership(manager, outsider.id, cooperative)
    db.session.rollback()
    assert caught.value.status == 404
    assert counts() == before


def test_admin_adds_any_household(make_user, cooperative):
    household = member(CooperativeFactory())
    db.session.commit()
    households.add_membership(make_user("admin"), household.id, cooperative)
    assert {m.cooperative_id for m in household.memberships} >= {cooperative.id}


# --- lists ----------------------------------------------------------------------------------


def _codes(actor, cooperative, **filters):
    statement = households.households_query(actor, cooperative, **filters)
    return [h.code for h in db.session.scalars(statement)]


def test_query_lists_members_with_search_and_filters(manager, cooperative):
    member(cooperative, code="A-1", head_name="Triệu Văn Sơn", official_status=OfficialStatus.POOR)
    member(cooperative, code="A-2", head_name="Hà Thị Lan", needs_review=True)
    member(cooperative, code="B-1", head_name="Lý Văn Bình", commune_code="07900")
    member(CooperativeFactory(), code="X-9", head_name="Người ngoài")
    db.session.commit()
    assert _codes(manager, cooperative) == ["A-1", "A-2", "B-1"]
    assert _codes(manager, cooperative, q="a-") == ["A-1", "A-2"]
    assert _codes(manager, cooperative, q="Lan") == ["A-2"]
    assert _codes(manager, cooperative, q="%") == []
    assert _codes(manager, cooperative, status="poor") == ["A-1", "A-2", "B-1"]
    assert _codes(manager, cooperative, status="near_poor") == []
    assert _codes(manager, cooperative, commune_code="07900") == ["B-1"]
    assert _codes(manager, cooperative, needs_review=True) == ["A-2"]
    assert _codes(manager, cooperative, needs_review=False) == ["A-1", "B-1"]


def test_officials_see_only_members_of_their_communes(make_user, cooperative):
    member(cooperative, code="IN", commune_code=DAO_TRU)
    member(cooperative, code="OUT", commune_code="07900")
    db.session.commit()
    official = make_user("official")  # jurisdiction: Đạo Trù
    assert _codes(official, cooperative) == ["IN"]
    assert _codes(make_user("official", province_wide=True), cooperative) == ["IN", "OUT"]
    assert _codes(make_user("buyer"), cooperative) == []


def test_counts_by_status(manager, cooperative):
    member(cooperative, official_status=OfficialStatus.POOR, needs_review=True)
    member(cooperative, official_status=OfficialStatus.POOR)
    member(cooperative, official_status=OfficialStatus.NOT_POOR)
    member(CooperativeFactory())
    db.session.commit()
    assert households.household_counts(manager, cooperative) == {
        "poor": 2,
        "near_poor": 0,
        "not_poor": 1,
        "not_yet_known": 0,
        "needs_review": 1,
        "total": 3,
    }


# --- CSV import -----------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True])
def test_import_creates_households_memberships_and_audit(manager, cooperative, bom):
    body = (
        "DT-1,Triệu Thị Mây,08914,5,Dao,nghèo,4,1.200.000,không,có\n"
        'DT-2,Hà Văn Khởi,07900,2,H\'Mông,near_poor,1,"950,000",Có,yes\n'
        "DT-3,Lò Thị Ánh,8914,3,muong,Không nghèo,0,2500000,TRUE,1\n"
    )
    created = households.import_households(manager, cooperative, csv_file(body, bom=bom))
    db.session.commit()
    assert created == 3
    rows = {h.code: h for h in db.session.scalars(db.select(Household))}
    assert rows["DT-1"].head_name == "Triệu Thị Mây"
    assert rows["DT-1"].baseline_income_vnd == 1_200_000
    assert rows["DT-2"].ethnic_group_code == "08"
    assert rows["DT-2"].baseline_income_vnd == 950_000
    assert rows["DT-2"].meritorious is True
    assert rows["DT-3"].official_status == OfficialStatus.NOT_POOR
    assert rows["DT-3"].ethnicity == "Mường"
    assert rows["DT-3"].commune_code == DAO_TRU  # the leading zero a spreadsheet dropped
    assert all(h.consent_by_id == manager.id and h.consent_at for h in rows.values())
    assert all(h.official_status_on is None for h in rows.values())  # the file has no date
    memberships = db.session.scalars(db.select(Membership)).all()
    assert {m.household_id for m in memberships} == {h.id for h in rows.values()}
    assert {m.cooperative_id for m in memberships} == {cooperative.id}
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    per_household = [e for e in entries if e.entity_type == "household"]
    assert sorted(e.entity_id for e in per_household) == sorted(str(h.id) for h in rows.values())
    assert all(e.actor_id == manager.id and e.action == AuditAction.CREATE for e in entries)
    first = next(e for e in per_household if e.entity_id == str(rows["DT-1"].id))
    assert first.new_values["head_name"] == "Triệu Thị Mây"
    assert first.new_values["cooperative_id"] == cooperative.id
    summary = [e for e in entries if e.entity_type == "household_import"]
    assert summary[0].new_values["created"] == 3


def test_import_takes_the_optional_column_and_skips_blank_lines(manager, cooperative):
    data = (
        HEADER + ",needs_review\r\n"
        "DT-1,Triệu Thị Mây,08914,5,Dao,poor,4,1200000,0,có,có\r\n"
        "\r\n,,,,,,,,,,\r\n"
        "DT-2,Hà Văn Khởi,08914,2,Dao,poor,1,950000,0,có,\r\n"
    ).encode()
    assert households.import_households(manager, cooperative, data) == 2
    review = dict(db.session.execute(db.select(Household.code, Household.needs_review)).all())
    assert review == {"DT-1": True, "DT-2": False}


def _rejected(manager, cooperative, data):
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        households.import_households(manager, cooperative, data)
    db.session.rollback()
    assert caught.value.status == 422
    assert counts() == before
    return [(e.row, e.field) for e in caught.value.errors], caught.value.errors


def test_one_bad_row_names_the_row_and_field_and_imports_nothing(manager, cooperative):
    body = csv_rows(3)
    lines = body.splitlines()
    row = next(csv.reader(io.StringIO(lines[1])))
    row[3] = "0"  # members
    lines[1] = ",".join(row)
    found, errors = _rejected(manager, cooperative, csv_file("\n".join(lines)))
    assert found == [(3, "members")]
    assert "from 1 to 99" in errors[0].message


def test_every_problem_of_every_row_is_reported(manager, cooperative):
    member(CooperativeFactory(), code="OLD-1")
    db.session.commit()
    body = (
        "OLD-1,Tên,08914,2,Dao,poor,1,100,0,1\n"
        "N-1,,99999,abc,Klingon,rich,13,-5,maybe,0\n"
        "N-2,Tên,08914,2,Dao,poor,1,100,0,1\n"
        "N-2,Tên,08914,2,Dao,poor,1,1.5,0,1\n"
        "N-3,Tên,08914,2,Dao,poor,1,100,0,1,extra\n"
    )
    found, _errors = _rejected(manager, cooperative, csv_file(body))
    assert found == [
        (2, "code"),
        (3, "head_name"),
        (3, "commune_code"),
        (3, "members"),
        (3, "ethnicity"),
        (3, "official_status"),
        (3, "deprivations"),
        (3, "baseline_income_vnd"),
        (3, "meritorious"),
        (3, "consent"),
        (5, "code"),
        (5, "baseline_income_vnd"),
        (6, "row"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (b"", "file", "empty"),
        (b"  \r\n", "file", "empty"),
        (b"code;head_name;commune_code\n1;2;3\n", "header", "semicolons"),
        ((HEADER + "\n").encode("utf-16"), "file", "UTF-8"),
        ("Mã,Tên\nDT-1,Triệu\n".encode(), "header", "Unknown columns: Mã, Tên"),
    ],
)
def test_file_level_problems_are_clear(manager, cooperative, data, field, words):
    found, errors = _rejected(manager, cooperative, data)
    assert found[0] == (1, field)
    assert words in " ".join(e.message for e in errors)


def test_wrong_header_names_unknown_and_missing_columns(manager, cooperative):
    header = HEADER.replace("members", "persons").replace(",consent", "")
    _found, errors = _rejected(manager, cooperative, csv_file(csv_rows(1), header=header))
    text = " ".join(e.message for e in errors)
    assert "Unknown columns: persons" in text
    assert "Missing columns: Members, Consent" in text  # titled in the page language


def test_latin1_file_reports_the_row(manager, cooperative):
    data = (HEADER + "\nDT-1,Triệu,08914,2,Dao,poor,1,100,0,1\n").encode("utf-8")
    data += "DT-2,Hà,08914,2,Dao,poor,1,100,0,1\n".encode("latin-1", "replace")
    data = data.replace("Hà".encode(), "H\xe0".encode("latin-1"))
    found, _errors = _rejected(manager, cooperative, data)
    assert found == [(3, "file")]


def test_more_than_20000_rows_is_refused(manager, cooperative):
    found, errors = _rejected(manager, cooperative, csv_file(csv_rows(20_001)))
    assert found == [(20_002, "file")]
    assert "20,000" in errors[0].message


def test_import_of_20000_rows_in_one_go(manager, cooperative):
    created = households.import_households(manager, cooperative, csv_file(csv_rows(20_000)))
    db.session.commit()
    assert created == 20_000
    assert counts()[:3] == (20_000, 20_000, 20_001)


def test_import_needs_a_cooperative_the_actor_manages(manager):
    with pytest.raises(DomainError) as caught:
        households.import_households(manager, CooperativeFactory(), csv_file(csv_rows(1)))
    assert caught.value.status == 404


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_template_imports_cleanly(manager, cooperative, language):
    template = households.csv_template(DAO_TRU, language)
    titles = households.column_titles(language)
    keys = [*HEADER.split(","), "needs_review"]
    assert template.splitlines()[0] == ",".join(titles[key] for key in keys)
    assert "Triệu Văn Minh" in template
    assert households.import_households(manager, cooperative, template.encode()) == 2
    assert {h.ethnicity for h in db.session.scalars(db.select(Household))} == {"Dao", "Mường"}
