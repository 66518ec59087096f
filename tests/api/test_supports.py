"""API of policy support: GET|POST /households/{id}/supports, GET /supports/{id}, its
/correction and /void, and POST /supports/import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.schemas.corrections import REASON_PATTERN
from models import AuditEntry, Support, SupportProgramme

from ..factories_supports import REASON, give, setting

LOAN = {
    "programme": "policy_loan",
    "amount_vnd": 50_000_000,
    "received_on": "2026-03-10",
    "purpose_product_code": "PT-BA-KICH-TUOI",
    "term_months": 60,
    "note": "NHCSXH - cho vay hộ nghèo",
}
SEEDLINGS = {"programme": "crop_variety", "amount_vnd": 2_500_000, "received_on": "2026-03-12"}
VI_CSV = (
    "Mã hộ,Chương trình hỗ trợ,Số tiền (đồng),Ngày nhận,Thời hạn vay (tháng)\r\n"
    "DT-0001,Vay vốn chính sách,50.000.000,15/03/2025,60\r\n"
    "DT-0002,Giống cây trồng,2.500.000,02/04/2025,\r\n"
)


@pytest.fixture
def place(app):
    return setting()


def supports_url(household) -> str:
    return f"/api/v1/households/{household.id}/supports"


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Support))


def english(user):
    """The user reads English, so that messages can be checked."""
    user.locale = "en"
    db.session.commit()
    return user


def test_an_official_records_a_loan_and_lists_it(client, bearer, place):
    auth = bearer(place.official)
    response = client.post(supports_url(place.household), json=LOAN, headers=auth)
    assert response.status_code == 201, response.json
    body = response.json
    assert body == {
        "id": body["id"],
        "household_id": place.household.id,
        "programme": "policy_loan",
        "amount_vnd": 50_000_000,
        "received_on": "2026-03-10",
        "purpose_product_code": "PT-BA-KICH-TUOI",
        "term_months": 60,
        "note": "NHCSXH - cho vay hộ nghèo",
        "recorded_by": place.official.name,
        "status": "recorded",
        "created_at": body["created_at"],
    }
    listed = client.get(supports_url(place.household), headers=auth).json
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 20)
    assert listed["items"] == [body]
    reads = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "household_supports")
    ).all()
    assert len(reads) == 1  # an official's read of household-level data is audited


def test_a_manager_sees_every_support_of_a_member_and_records_seedlings(client, bearer, place):
    give(place.official, place.household)
    db.session.commit()
    auth = bearer(place.manager)
    response = client.post(supports_url(place.household), json=SEEDLINGS, headers=auth)
    assert response.status_code == 201, response.json
    assert response.json["term_months"] is None
    items = client.get(supports_url(place.household), headers=auth).json["items"]
    assert [i["programme"] for i in items] == ["crop_variety", "policy_loan"]
    only = client.get(
        supports_url(place.household), query_string={"programme": "policy_loan"}, headers=auth
    ).json
    assert [i["programme"] for i in only["items"]] == ["policy_loan"]


def test_a_manager_recording_a_policy_loan_gets_403(client, bearer, place):
    response = client.post(supports_url(place.household), json=LOAN, headers=bearer(place.manager))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert any(who in response.json["detail"] for who in ("officials", "cán bộ xã"))
    assert "programme" in response.json["errors"]
    assert count() == 0


@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("other_manager", "household", 404),
        ("outside_official", "household", 404),
        ("official", "townsman", 404),
        ("buyer", "household", 403),
    ],
)
def test_out_of_scope(client, bearer, place, who, whose, status):
    auth = bearer(getattr(place, who))
    url = supports_url(getattr(place, whose))
    assert client.get(url, headers=auth).status_code == status
    assert client.post(url, json=SEEDLINGS, headers=auth).status_code == status
    assert count() == 0


def test_anonymous_callers_get_401(client, place):
    assert client.get(supports_url(place.household)).status_code == 401
    assert client.post(supports_url(place.household), json=LOAN).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"term_months": None}, "term_months"),
        ({"term_months": "60"}, "term_months"),
        ({"amount_vnd": 1.5}, "amount_vnd"),
        ({"received_on": "10/03/2026"}, "received_on"),
        ({"programme": "grant"}, "programme"),
        ({"purpose_product_code": "NONE"}, "purpose_product_code"),
        ({"received_on": "1999-12-31"}, "received_on"),  # the document's pattern: 20xx
        ({"received_on": "2100-01-01"}, "received_on"),
        ({"amount_vnd": 0}, "amount_vnd"),  # a loan of nothing
        ({"term_months": None}, "term_months"),
        ({"programme": "other"}, "term_months"),  # a term for another programme
    ],
)
def test_invalid_values_get_422(client, bearer, place, change, field):
    response = client.post(
        supports_url(place.household), json={**LOAN, **change}, headers=bearer(place.official)
    )
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert count() == 0


def test_a_loan_without_its_term_is_refused_by_the_document(client, bearer, place):
    loan = {key: value for key, value in LOAN.items() if key != "term_months"}
    response = client.post(supports_url(place.household), json=loan, headers=bearer(place.official))
    assert response.status_code == 422, response.json
    assert response.json["errors"] == {
        "term_months": ["A policy loan has a term: give term_months."]
    }


def test_a_date_in_the_future_is_409(client, bearer, place):
    response = client.post(
        supports_url(place.household),
        json={**LOAN, "received_on": "2099-12-31"},
        headers=bearer(english(place.official)),
    )
    assert response.status_code == 409, response.json
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == "The date cannot be in the future."
    assert response.json["errors"] == {"received_on": ["The date cannot be in the future."]}
    assert count() == 0


def test_a_correction_and_a_void_keep_the_history(client, bearer, place):
    support = give(place.official, place.household)
    db.session.commit()
    auth = bearer(place.official)
    url = f"/api/v1/supports/{support.id}"
    assert client.get(url, headers=auth).json["history"] == []

    response = client.post(
        f"{url}/correction",
        json={"reason": REASON, "amount_vnd": 45_000_000, "note": None},
        headers=auth,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["status"], body["amount_vnd"], body["note"]) == ("corrected", 45_000_000, None)
    [change] = body["history"]
    assert change["action"] == "correct"
    assert change["by"] == place.official.name
    assert change["old"] == {"amount_vnd": 50_000_000, "note": "NHCSXH - cho vay hộ nghèo"}
    assert change["new"] == {"amount_vnd": 45_000_000, "note": None}

    response = client.post(f"{url}/void", json={"reason": REASON}, headers=auth)
    assert response.status_code == 200, response.json
    assert response.json["status"] == "void"
    assert [c["action"] for c in response.json["history"]] == ["correct", "void"]
    listed = client.get(supports_url(place.household), headers=auth).json["items"]
    assert [i["status"] for i in listed] == ["void"]

    again = client.post(f"{url}/void", json={"reason": REASON}, headers=auth)
    assert again.status_code == 409
    assert client.post(f"{url}/correction", json={"reason": "x"}, headers=auth).status_code == 422


def test_a_correction_that_changes_nothing_is_409(client, bearer, place):
    support = give(place.official, place.household)
    db.session.commit()
    url = f"/api/v1/supports/{support.id}/correction"
    auth = bearer(english(place.official))
    for body in ({"reason": REASON}, {"reason": REASON, "amount_vnd": support.amount_vnd}):
        response = client.post(url, json=body, headers=auth)
        assert response.status_code == 409, response.json
        assert response.content_type == "application/problem+json"
        assert response.json["detail"] == "Nothing to correct: the values are the same."
    assert db.session.get(Support, support.id).status.value == "recorded"


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        ("  abc  ", 422),  # 3 characters besides the spaces around them
        ("two\nlines", 422),
        ("  Sổ vay ghi khác\u200b  ", 200),  # no control character: a zero-width space is text
    ],
)
def test_the_reason_is_one_line_of_5_characters(client, bearer, place, reason, status):
    support = give(place.official, place.household)
    db.session.commit()
    response = client.post(
        f"/api/v1/supports/{support.id}/correction",
        json={"reason": reason, "amount_vnd": 1_000_000},
        headers=bearer(place.official),
    )
    assert response.status_code == status, response.json
    if status == 422:
        assert "reason" in response.json["errors"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        # the programme is the record's (not a loan): 409
        ({"term_months": 12}, 409, "term_months"),
        ({"programme": "policy_loan"}, 409, "term_months"),  # the record has no term
        # the body alone breaks the rule (the document's anyOf): 422
        ({"programme": "other", "term_months": 12}, 422, "term_months"),
        ({"programme": "policy_loan", "term_months": None}, 422, "term_months"),
        ({"programme": "policy_loan", "term_months": 12, "amount_vnd": 0}, 422, "amount_vnd"),
        ({"received_on": "1999-12-31"}, 422, "received_on"),
        ({"received_on": "2099-12-31"}, 409, "received_on"),
    ],
)
def test_a_correction_of_values_that_do_not_go_together(client, bearer, place, body, status, field):
    seedlings = give(
        place.official,
        place.household,
        programme=SupportProgramme.CROP_VARIETY,
        term_months=None,
        amount_vnd=2_000_000,
    )
    db.session.commit()
    response = client.post(
        f"/api/v1/supports/{seedlings.id}/correction",
        json={"reason": REASON, **body},
        headers=bearer(place.official),
    )
    assert response.status_code == status, response.json
    assert field in response.json["errors"]
    assert db.session.get(Support, seedlings.id).status.value == "recorded"


def test_corrections_are_refused_outside_scope_and_to_managers_for_loans(client, bearer, place):
    loan = give(place.official, place.household)
    db.session.commit()
    url = f"/api/v1/supports/{loan.id}"
    body = {"reason": REASON, "amount_vnd": 1}
    other = bearer(place.other_manager)
    assert client.get(url, headers=other).status_code == 404
    assert client.post(f"{url}/correction", json=body, headers=other).status_code == 404
    manager = bearer(place.manager)
    assert client.get(url, headers=manager).status_code == 200
    assert client.post(f"{url}/correction", json=body, headers=manager).status_code == 403
    void = {"reason": REASON}
    assert client.post(f"{url}/void", json=void, headers=manager).status_code == 403
    assert client.get("/api/v1/supports/2147483647", headers=manager).status_code == 404


def test_import_csv_body(client, bearer, place):
    response = client.post(
        "/api/v1/supports/import",
        data=VI_CSV.encode(),
        content_type="text/csv",
        headers=bearer(place.official),
    )
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 2}
    assert count() == 2


def test_import_multipart_file_for_a_commune(client, bearer, place):
    response = client.post(
        "/api/v1/supports/import",
        query_string={"commune": "08914"},
        data={"file": (io.BytesIO(VI_CSV.encode()), "ho-tro.csv")},
        content_type="multipart/form-data",
        headers=bearer(place.admin),
    )
    assert response.status_code == 201, response.json
    assert response.json == {"imported": 2}


def test_import_errors_by_row_and_field_nothing_written(client, bearer, place):
    data = VI_CSV + "DT-0001,Vay vốn chính sách,1.2,15/13/2025,\r\n"
    response = client.post(
        "/api/v1/supports/import",
        data=data.encode(),
        content_type="text/csv",
        headers=bearer(place.official),
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [
        (4, "amount_vnd"),
        (4, "received_on"),
        (4, "term_months"),
    ]
    assert all(e["message"] for e in errors)
    assert response.json["error_count"] == 3
    assert count() == 0


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("buyer", 403)])
def test_only_officials_import(client, bearer, place, who, status):
    response = client.post(
        "/api/v1/supports/import",
        data=VI_CSV.encode(),
        content_type="text/csv",
        headers=bearer(getattr(place, who)),
    )
    assert response.status_code == status
    assert count() == 0


def test_import_for_a_commune_outside_the_jurisdiction_is_404(client, bearer, place):
    response = client.post(
        "/api/v1/supports/import",
        query_string={"commune": "07900"},
        data=VI_CSV.encode(),
        content_type="text/csv",
        headers=bearer(place.official),
    )
    assert response.status_code == 404


def test_the_openapi_description_documents_the_support_resources(client):
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    assert set(paths["/api/v1/households/{household_id}/supports"]) >= {"get", "post"}
    for path in ("/api/v1/supports/{support_id}/correction", "/api/v1/supports/{support_id}/void"):
        assert "post" in paths[path]
    body = paths["/api/v1/supports/import"]["post"]["requestBody"]["content"]
    assert set(body) == {"text/csv", "multipart/form-data"}
    problem = paths["/api/v1/supports/import"]["post"]["responses"]["422"]
    assert "application/problem+json" in problem["content"]
    for path in ("/api/v1/households/{household_id}/supports", "/api/v1/supports/{support_id}"):
        responses = paths[path if "household" in path else f"{path}/correction"]["post"]
        assert "409" in responses["responses"]


def test_the_document_says_which_values_go_with_a_loan(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    create, correction = schemas["SupportCreate"], schemas["SupportCorrection"]
    for schema in (create, correction):
        assert schema["properties"]["received_on"]["pattern"] == "^20[0-9]{2}-"
    loan, other = create["anyOf"]
    assert loan["properties"]["programme"] == {"enum": ["policy_loan"]}
    assert loan["properties"]["term_months"] == {"type": "integer"}
    assert loan["properties"]["amount_vnd"] == {"minimum": 1}
    assert loan["required"] == ["term_months"]
    assert "policy_loan" not in other["properties"]["programme"]["enum"]
    assert other["properties"]["term_months"] == {"enum": [None], "nullable": True}
    assert correction["properties"]["reason"]["pattern"] == REASON_PATTERN
    unchanged, loan, other = correction["anyOf"]
    assert unchanged["not"] == {"required": ["programme"]}
    assert "term_months" not in loan["required"]  # a correction may keep the record's term
    assert other["properties"]["term_months"] == {"enum": [None], "nullable": True}
