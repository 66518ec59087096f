"""The officials' review queue: each reason, the filters, the scope, and re-classification
from the queue taking a settled household off it."""

from __future__ import annotations

import re

import pytest

from linkage.extensions import db
from linkage.services.periods import Month, Period
from linkage.services.review import ReviewReason, previous_period, review_page
from models import (
    AuditAction,
    AuditEntry,
    Household,
    OfficialStatus,
    OfficialStatusChange,
)
from tests.audit_entries import RECORD_ENTRIES

from ..factories_review import EXPECTED, PERIOD, RURAL, URBAN, review_setting


@pytest.fixture
def queue(app):
    return review_setting()


def _rows(html):
    """{household code: reason codes} of the queue's table."""
    found = re.findall(
        r'<tr data-household="([^"]+)">.*?data-key="reasons" data-value="([^"]*)"', html, re.S
    )
    return dict(found)


def _queue(client, **query):
    response = client.get("/official/review", query_string={**PERIOD, **query})
    assert response.status_code == 200, response.text
    return _rows(response.text)


def test_each_reason_is_listed(client, login_as, queue):
    login_as("official")  # Đạo Trù
    assert _queue(client) == EXPECTED


def test_the_reason_filter(client, login_as, queue):
    login_as("official")
    for reason in ReviewReason:
        expected = {code for code, reasons in EXPECTED.items() if reason.value in reasons}
        assert set(_queue(client, reason=reason.value)) == expected, reason


def test_the_commune_filter_and_the_scope(client, login_as, queue):
    login_as("official", province_wide=True)
    everything = _queue(client)
    assert everything["OUTSIDE"] == "boundary_change"
    assert set(_queue(client, commune=URBAN)) == {"OUTSIDE"}
    assert set(_queue(client, commune=RURAL)) == set(EXPECTED)


def test_a_commune_official_never_sees_another_commune(client, login_as, queue):
    login_as("official")
    page = client.get("/official/review", query_string=PERIOD).text
    assert "OUTSIDE" not in page and queue["OUTSIDE"].head_name not in page
    response = client.get("/official/review", query_string={**PERIOD, "commune": URBAN})
    assert response.status_code == 404
    assert "OUTSIDE" not in response.text


def test_reclassifying_outside_the_jurisdiction_is_404_and_writes_nothing(client, login_as, queue):
    login_as("official")
    outside = queue["OUTSIDE"]
    audits = db.session.scalar(db.select(db.func.count()).select_from(RECORD_ENTRIES))
    response = client.post(
        f"/official/review/{outside.id}/reclassify",
        data={
            f"h{outside.id}-official_status": "near_poor",
            f"h{outside.id}-reason": "Rà soát sau sáp nhập",
            f"h{outside.id}-reviewed": "y",
        },
    )
    assert response.status_code == 404
    db.session.expire_all()
    household = db.session.get(Household, outside.id)
    assert (household.official_status, household.needs_review) == (OfficialStatus.POOR, True)
    assert db.session.scalar(db.select(db.func.count()).select_from(OfficialStatusChange)) == 0
    # nothing about records (the refused access itself is in the access log)
    assert db.session.scalar(db.select(db.func.count()).select_from(RECORD_ENTRIES)) == audits


def _reclassify(client, household, status, reviewed=True, **query):
    data = {f"h{household.id}-official_status": status, f"h{household.id}-reason": "Rà soát 2026"}
    if reviewed:
        data[f"h{household.id}-reviewed"] = "y"
    return client.post(
        f"/official/review/{household.id}/reclassify",
        query_string={**PERIOD, **query},
        data=data,
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("BOUNDARY", "poor"),  # the same status, review done
        ("NO-STATUS", "poor"),  # as projected: near poor would disagree
        ("DISAGREES", "not_poor"),  # to the projected status
        ("DISAGREES-FLAGGED", "not_poor"),
    ],
)
def test_a_settled_household_leaves_the_queue(client, login_as, queue, code, status):
    login_as("official")
    response = _reclassify(client, queue[code], status, commune=RURAL)
    assert response.status_code == 303
    assert response.location.startswith("/official/review?")
    assert "commune=08914" in response.location
    rows = _queue(client)
    assert code not in rows
    assert set(rows) == set(EXPECTED) - {code}
    db.session.expire_all()
    household = db.session.get(Household, queue[code].id)
    assert household.official_status == OfficialStatus(status)
    assert household.needs_review is False
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert (change.household_id, change.reason) == (household.id, "Rà soát 2026")


def test_a_reclassification_without_review_done_keeps_the_boundary_reason(client, login_as, queue):
    login_as("official")
    assert _reclassify(client, queue["BOUNDARY"], "poor", reviewed=False).status_code == 303
    assert _queue(client)["BOUNDARY"] == "boundary_change"
    # the ethnicity is still unknown: the review mark stays, and so does the reason
    assert _reclassify(client, queue["NO-ETHNICITY"], "poor").status_code == 303
    assert _queue(client)["NO-ETHNICITY"] == "ethnicity_not_yet_known"


def test_a_reclassification_that_does_not_settle_the_projection_keeps_it(client, login_as, queue):
    login_as("official")
    assert _reclassify(client, queue["DISAGREES"], "near_poor").status_code == 303
    assert _queue(client)["DISAGREES"] == "projection_disagrees"


def test_bad_input_is_shown_on_the_row_and_writes_nothing(client, login_as, queue):
    login_as("official", locale="en")
    household = queue["BOUNDARY"]
    response = client.post(
        f"/official/review/{household.id}/reclassify",
        query_string=PERIOD,
        data={f"h{household.id}-official_status": "poor", f"h{household.id}-reason": "x"},
    )
    assert response.status_code == 422
    assert "Write between 5 and 2,000 characters." in response.text
    assert f'id="h{household.id}-reason"' in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(OfficialStatusChange)) == 0
    assert db.session.get(Household, household.id).needs_review is True


def test_the_queue_is_audited_and_linked_from_the_navigation(client, login_as, queue):
    official = login_as("official")
    page = client.get("/official/", query_string=PERIOD).text
    assert 'href="/official/review' in page
    client.get("/official/review", query_string=PERIOD)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "review_queue")
    ).one()
    assert (entry.actor_id, entry.action) == (official.id, AuditAction.READ)
    assert entry.new_values["rows"] == len(EXPECTED)


@pytest.mark.parametrize("role", ["manager", "buyer"])
def test_other_roles_are_refused(client, login_as, queue, role):
    login_as(role)
    assert client.get("/official/review").status_code == 403
    household = queue["BOUNDARY"]
    assert _reclassify(client, household, "near_poor").status_code == 403
    assert db.session.get(Household, household.id).official_status == OfficialStatus.POOR


def test_pages_of_the_queue(app, make_user, queue):
    official = make_user("official")
    period = Period(Month(2026, 1), Month(2026, 3))
    first = review_page(official, period, 1, 2)
    second = review_page(official, period, 3, 2)
    assert (first.total, first.pages) == (len(EXPECTED), 3)
    assert [item.household.code for item in first.items] == sorted(EXPECTED)[:2]
    assert [item.household.code for item in second.items] == sorted(EXPECTED)[4:]
    disagrees = review_page(official, period, 1, 10, reason=ReviewReason.PROJECTION_DISAGREES)
    item = disagrees.items[0]
    assert (item.projected_status, item.previous_projected_status) == (
        OfficialStatus.NOT_POOR,
        OfficialStatus.NOT_POOR,
    )


def test_the_period_before():
    assert previous_period(Period(Month(2026, 1), Month(2026, 3))) == Period(
        Month(2025, 10), Month(2025, 12)
    )
    assert previous_period(Period(Month(2025, 6), Month(2026, 5))) == Period(
        Month(2024, 6), Month(2025, 5)
    )
