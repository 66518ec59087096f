"""Manager pages of households: list, add, edit, join, CSV import and template; access."""

from __future__ import annotations

import io

import pytest

from linkage.extensions import db
from models import AuditEntry, Household, Membership, OfficialStatus

from ..audit_entries import record_entries
from ..factories import DAO_TRU, CooperativeFactory
from ..factories_households import counts, csv_file, csv_rows, member

FORM = {
    "code": "DT-0100",
    "head_name": "Đặng Thị Hoa",
    "commune_code": DAO_TRU,
    "members": "4",
    "ethnicity": "Sán Dìu",
    "official_status": "near_poor",
    "official_status_on": "",
    "joined_on": "",
    "deprivations": "2",
    "baseline_income_vnd": "1,350,000",  # as typed on an English page
    "meritorious": "y",
    "consent": "y",
}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so that messages can be checked (login keeps the choice)."""
    client.get("/language/en")


@pytest.fixture
def manager(english, login_as):
    return login_as("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def _base(cooperative):
    return f"/manage/{cooperative.id}/households"


def _upload(data: bytes, name: str = "households.csv") -> dict:
    return {"file": (io.BytesIO(data), name)}


# --- list -----------------------------------------------------------------------------------


def test_empty_list_says_what_to_do(client, cooperative):
    text = client.get(_base(cooperative)).get_data(as_text=True)
    assert "No households yet" in text
    assert f"{_base(cooperative)}/new" in text
    assert f"{_base(cooperative)}/import" in text


def test_list_shows_members_counts_and_filters(client, cooperative):
    member(cooperative, code="A-1", head_name="Triệu Văn Sơn")
    member(cooperative, code="A-2", head_name="Hà Thị Lan", needs_review=True)
    member(cooperative, code="B-1", official_status=OfficialStatus.NOT_POOR, commune_code="07900")
    member(CooperativeFactory(), code="ZZ-OTHER")
    db.session.commit()
    response = client.get(_base(cooperative))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Triệu Văn Sơn" in text and "Hà Thị Lan" in text
    assert "ZZ-OTHER" not in text
    assert "1,200,000 ₫" in text  # the baseline income, in đồng (English format)
    assert '<th scope="col">' in text and "<caption>" in text
    searched = client.get(_base(cooperative) + "?q=lan").get_data(as_text=True)
    assert "Hà Thị Lan" in searched and "Triệu Văn Sơn" not in searched
    by_status = client.get(_base(cooperative) + "?status=not_poor").get_data(as_text=True)
    assert "B-1" in by_status and "A-1" not in by_status
    by_commune = client.get(_base(cooperative) + "?commune=07900").get_data(as_text=True)
    assert "B-1" in by_commune and "A-2" not in by_commune
    to_check = client.get(_base(cooperative) + "?needs_review=yes").get_data(as_text=True)
    assert "A-2" in to_check and "A-1" not in to_check
    nothing = client.get(_base(cooperative) + "?q=nobody").get_data(as_text=True)
    assert "No household matches these filters." in nothing


def test_list_is_paginated(client, cooperative):
    for n in range(30):
        member(cooperative, code=f"P-{n:03d}")
    db.session.commit()
    first = client.get(_base(cooperative)).get_data(as_text=True)
    assert "P-000" in first and "P-029" not in first
    assert "page=2" in first
    second = client.get(_base(cooperative) + "?page=2&q=P-").get_data(as_text=True)
    assert "P-029" in second and "P-000" not in second
    assert client.get(_base(cooperative) + "?page=abc&cooperative_id=9").status_code == 200


# --- add ------------------------------------------------------------------------------------


def test_new_form_has_the_choices_and_explains_consent(client, cooperative):
    text = client.get(f"{_base(cooperative)}/new").get_data(as_text=True)
    assert text.count("<option") >= 54 + 148 + 3
    assert f'<option selected value="{cooperative.commune_code}">' in text
    assert 'value="H&#39;Mông"' in text or "Mông" in text
    assert "91/2025/QH15" in text
    assert 'name="consent"' in text


def test_manager_adds_a_household(client, manager, cooperative):
    response = client.post(f"{_base(cooperative)}/new", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_base(cooperative))
    household = db.session.scalars(db.select(Household)).one()
    assert household.head_name == "Đặng Thị Hoa"
    assert household.ethnic_group_code == "18"
    assert household.baseline_income_vnd == 1_350_000
    assert household.official_status == OfficialStatus.NEAR_POOR
    assert household.meritorious is True
    assert household.consent_by_id == manager.id
    assert household.memberships[0].cooperative_id == cooperative.id
    assert "DT-0100" in client.get(_base(cooperative)).get_data(as_text=True)  # flash and row


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent": None}, "consent is required"),
        ({"members": "0"}, "from 1 to 99"),
        ({"deprivations": "13"}, "from 0 to 12"),
        ({"baseline_income_vnd": "nhiều"}, "Enter a number"),
        ({"code": ""}, "Enter the household code."),
        ({"ethnicity": "Klingon"}, "Not a valid choice"),
        ({"official_status_on": "2999-01-01"}, "cannot be in the future"),
    ],
)
def test_bad_form_shows_the_error_and_writes_nothing(client, cooperative, changes, message):
    data = {k: v for k, v in {**FORM, **changes}.items() if v is not None}
    before = counts()
    response = client.post(f"{_base(cooperative)}/new", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert "error-summary" in text
    assert counts() == before


def test_duplicate_code_is_shown_at_the_code_field(client, cooperative):
    member(CooperativeFactory(), code="DT-0100")
    db.session.commit()
    before = counts()
    response = client.post(f"{_base(cooperative)}/new", data=FORM)
    assert response.status_code == 422
    assert "already used by another household" in response.get_data(as_text=True)
    assert counts() == before


# --- edit -----------------------------------------------------------------------------------


def test_manager_edits_a_household_and_status_stays_read_only(client, cooperative):
    household = member(cooperative, members=4)
    db.session.commit()
    url = f"{_base(cooperative)}/{household.id}/edit"
    text = client.get(url).get_data(as_text=True)
    assert 'name="official_status"' not in text
    assert "re-classifies" in text
    data = {
        "code": household.code,
        "head_name": "Triệu Văn Mới",
        "commune_code": DAO_TRU,
        "members": "6",
        "ethnicity": "Dao",
        "deprivations": "3",
        "baseline_income_vnd": "1200000",
        "official_status": "not_poor",  # ignored: not a field of the edit form
    }
    response = client.post(url, data=data)
    assert response.status_code == 302
    household = db.session.get(Household, household.id)
    assert (household.members, household.head_name) == (6, "Triệu Văn Mới")
    assert household.official_status == OfficialStatus.POOR
    entry = db.session.scalars(record_entries()).one()
    assert entry.old_values == {"members": 4, "head_name": entry.old_values["head_name"]}
    assert entry.new_values == {"members": 6, "head_name": "Triệu Văn Mới"}


def test_edit_with_a_bad_value_writes_nothing(client, cooperative):
    household = member(cooperative)
    db.session.commit()
    before = counts()
    response = client.post(
        f"{_base(cooperative)}/{household.id}/edit",
        data={"code": household.code, "head_name": "", "members": "4", "deprivations": "3"},
    )
    assert response.status_code == 422
    assert counts() == before


def test_manager_of_two_cooperatives_joins_the_household_to_the_other(client, manager, cooperative):
    other = CooperativeFactory(name="HTX Chè Long Cốc")
    manager.cooperatives.append(other)
    household = member(cooperative)
    db.session.commit()
    text = client.get(f"{_base(cooperative)}/{household.id}/edit").get_data(as_text=True)
    assert "HTX Chè Long Cốc" in text
    response = client.post(
        f"{_base(cooperative)}/{household.id}/memberships", data={"join-cooperative_id": other.id}
    )
    assert response.status_code == 302
    assert {m.cooperative_id for m in db.session.scalars(db.select(Membership))} == {
        cooperative.id,
        other.id,
    }
    assert db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "membership")
    ).one()


# --- import ---------------------------------------------------------------------------------


def test_import_page_explains_the_columns(client, cooperative):
    text = client.get(f"{_base(cooperative)}/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text
    assert "baseline_income_vnd" in text
    assert "template.csv" in text


@pytest.mark.parametrize("bom", [False, True])
def test_import_a_file(client, cooperative, bom):
    response = client.post(
        f"{_base(cooperative)}/import", data=_upload(csv_file(csv_rows(12), bom=bom))
    )
    assert response.status_code == 302
    assert counts()[:2] == (12, 12)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "12 households imported." in page
    assert "Triệu Văn Đức 1" in page


def test_import_with_bad_rows_lists_them_and_imports_nothing(client, cooperative):
    body = csv_rows(2) + "BAD,Hà Thị Lan,99999,2,Dao,poor,1,100,0,có\n"
    before = counts()
    response = client.post(f"{_base(cooperative)}/import", data=_upload(csv_file(body)))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text
    assert '<th scope="row" class="num">4</th>' in text
    assert "commune_code" in text and "Unknown commune code" in text
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"Ma ho,Ten\nDT-1,Trieu\n", "Unknown columns"),
    ],
)
def test_empty_file_and_wrong_header_are_explained(client, cooperative, data, message):
    response = client.post(f"{_base(cooperative)}/import", data=_upload(data))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts()[0] == 0


def test_import_needs_a_file(client, cooperative):
    response = client.post(f"{_base(cooperative)}/import", data={})
    assert response.status_code == 422
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_template_downloads_with_bom_and_reimports_after_editing_codes(client, cooperative):
    response = client.get(f"{_base(cooperative)}/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Household code,Head of household,Commune code")
    assert "Triệu Văn Minh" in text
    member(CooperativeFactory(), code="HTX-0001")  # the template's codes may be taken
    db.session.commit()
    edited = text.replace("HTX-0001", "MY-0001").replace("HTX-0002", "MY-0002")
    upload = client.post(f"{_base(cooperative)}/import", data=_upload(edited.encode("utf-8-sig")))
    assert upload.status_code == 302
    assert set(db.session.scalars(db.select(Household.code))) == {"HTX-0001", "MY-0001", "MY-0002"}


# --- access ---------------------------------------------------------------------------------


def _routes(cooperative_id, household_id):
    base = f"/manage/{cooperative_id}/households"
    return [
        ("GET", base),
        ("GET", f"{base}/new"),
        ("POST", f"{base}/new"),
        ("GET", f"{base}/{household_id}/edit"),
        ("POST", f"{base}/{household_id}/edit"),
        ("POST", f"{base}/{household_id}/memberships"),
        ("GET", f"{base}/import"),
        ("POST", f"{base}/import"),
        ("GET", f"{base}/template.csv"),
    ]


def test_manager_of_another_cooperative_gets_404_everywhere(client, login_as, make_user):
    owner = make_user("manager")
    household = member(owner.cooperatives[0])
    db.session.commit()
    login_as("manager")
    before = counts()
    for method, url in _routes(owner.cooperatives[0].id, household.id):
        assert client.open(url, method=method, data=FORM).status_code == 404, url
    assert counts() == before


def test_household_of_another_cooperative_is_404_in_my_cooperative(client, cooperative):
    outsider = member(CooperativeFactory())
    db.session.commit()
    assert client.get(f"{_base(cooperative)}/{outsider.id}/edit").status_code == 404
    response = client.post(f"{_base(cooperative)}/{outsider.id}/edit", data=FORM)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["buyer", "official"])
def test_buyers_and_officials_get_403(client, login_as, make_user, role):
    owner = make_user("manager")
    household = member(owner.cooperatives[0])
    db.session.commit()
    login_as(role)
    for method, url in _routes(owner.cooperatives[0].id, household.id):
        assert client.open(url, method=method).status_code == 403, url


def test_anonymous_is_sent_to_login(client, make_user):
    owner = make_user("manager")
    household = member(owner.cooperatives[0])
    db.session.commit()
    for method, url in _routes(owner.cooperatives[0].id, household.id):
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_admin_uses_the_pages_of_any_cooperative(client, login_as, make_user):
    cooperative = make_user("manager").cooperatives[0]
    household = member(cooperative, head_name="Lý Thị Hiền")
    db.session.commit()
    login_as("admin")
    assert "Lý Thị Hiền" in client.get(_base(cooperative)).get_data(as_text=True)
    assert client.get(f"{_base(cooperative)}/{household.id}/edit").status_code == 200


def test_list_page_takes_a_bounded_number_of_queries(client, cooperative):
    from sqlalchemy import event

    for _ in range(25):
        member(cooperative)
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(_base(cooperative)).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) <= 12, "\n".join(s[:120] for s in statements)
