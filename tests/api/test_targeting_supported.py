"""Targeting: poor and near-poor households that received a loan or a variety but sold
nothing through a cooperative in the period, counted by commune (API, page and exports)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from linkage.extensions import db
from models import (
    CollectionStatus,
    OfficialStatus,
    Payment,
    PaymentKind,
    Support,
    SupportProgramme,
)

from ..aggregates_helpers import written_directly
from ..factories import CooperativeFactory, HouseholdFactory

RURAL, URBAN = "08914", "07900"  # Đạo Trù, Việt Trì
PERIOD = {"period_start": "2026-01", "period_end": "2026-03"}
IN_PERIOD = datetime(2026, 2, 10, 3, 0, tzinfo=UTC)
BEFORE = datetime(2025, 11, 10, 3, 0, tzinfo=UTC)
HEADER = "Poor or near poor with a loan or variety, no sales"

LOAN, VARIETY, BREED = (
    SupportProgramme.POLICY_LOAN,
    SupportProgramme.CROP_VARIETY,
    SupportProgramme.LIVESTOCK_BREED,
)
POOR, NEAR, NOT_POOR = OfficialStatus.POOR, OfficialStatus.NEAR_POOR, OfficialStatus.NOT_POOR


def _support(household, programme, received_on=date(2025, 6, 1), void=False):
    db.session.add(
        Support(
            household_id=household.id,
            programme=programme,
            amount_vnd=30_000_000 if programme == LOAN else 2_000_000,
            received_on=received_on,
            status=CollectionStatus.VOID if void else CollectionStatus.RECORDED,
        )
    )


def _paid(household, cooperative, when=IN_PERIOD, void=False):
    db.session.add(
        Payment(
            cooperative_id=cooperative.id,
            household_id=household.id,
            kind=PaymentKind.SURPLUS,
            amount_vnd=500_000,
            paid_at=when,
            voided_at=when if void else None,
        )
    )
    written_directly()


@pytest.fixture
def hand_built(app):
    """In Đạo Trù, the households that count: a poor one with a loan and no sales, a near-poor
    one with a variety whose only payment is before the period, a poor one with a breed whose
    only payment in the period is void. Those that do not: one with a loan and a sale in the
    period, one with a void loan, a not-poor one with a loan, one with training only, one
    whose loan came after the period. In Việt Trì: one poor household with a loan, no sales."""
    coop = CooperativeFactory(commune_code=RURAL)
    made = {}
    for code, status, commune in (
        ("COUNTS-LOAN", POOR, RURAL),
        ("COUNTS-VARIETY", NEAR, RURAL),
        ("COUNTS-BREED", POOR, RURAL),
        ("SOLD", POOR, RURAL),
        ("VOID-LOAN", POOR, RURAL),
        ("NOT-POOR", NOT_POOR, RURAL),
        ("TRAINING", POOR, RURAL),
        ("LATE-LOAN", NEAR, RURAL),
        ("WARD-LOAN", POOR, URBAN),
    ):
        made[code] = HouseholdFactory(
            code=code,
            official_status=status,
            commune_code=commune,
            ethnic_group_code="09" if commune == RURAL else "01",
            deprivations=3 if status == POOR else 0,
        )
    db.session.flush()
    _support(made["COUNTS-LOAN"], LOAN)
    _support(made["COUNTS-VARIETY"], VARIETY, date(2026, 3, 31))  # on the period's last day
    _paid(made["COUNTS-VARIETY"], coop, BEFORE)
    _support(made["COUNTS-BREED"], BREED)
    _paid(made["COUNTS-BREED"], coop, void=True)
    _support(made["SOLD"], LOAN)
    _paid(made["SOLD"], coop)
    _support(made["VOID-LOAN"], LOAN, void=True)
    _support(made["NOT-POOR"], LOAN)
    _support(made["TRAINING"], SupportProgramme.VOCATIONAL_TRAINING)
    _support(made["LATE-LOAN"], LOAN, date(2026, 4, 1))
    _support(made["WARD-LOAN"], LOAN)
    # the ward's other household sells, so that the two communes differ in income
    ward_seller = HouseholdFactory(code="WARD-SELLER", commune_code=URBAN, ethnic_group_code="01")
    db.session.flush()
    _paid(ward_seller, coop)
    db.session.commit()
    return made


def _targeting(client, headers, **query):
    response = client.get(
        "/api/v1/impact/targeting", query_string={**PERIOD, **query}, headers=headers
    )
    assert response.status_code == 200, response.json
    return {row["commune_code"]: row for row in response.json["rows"]}


def test_the_count_by_commune_and_its_reason(client, make_user, bearer, hand_built):
    rows = _targeting(client, bearer(make_user("official", province_wide=True)))
    assert rows[RURAL]["supported_without_sales"] == 3
    assert rows[URBAN]["supported_without_sales"] == 1
    reasons = {r["code"]: r["text"] for r in rows[RURAL]["reasons"]}
    assert "supported_without_sales" in reasons
    assert "3" in reasons["supported_without_sales"]


def test_without_such_households_there_is_no_reason(client, make_user, bearer, hand_built):
    for code in ("COUNTS-LOAN", "COUNTS-VARIETY", "COUNTS-BREED"):
        hand_built[code].official_status = NOT_POOR
    hand_built["WARD-LOAN"].official_status = NOT_POOR
    db.session.commit()
    rows = _targeting(client, bearer(make_user("official", province_wide=True)))
    assert rows[RURAL]["supported_without_sales"] == 0
    assert "supported_without_sales" not in [r["code"] for r in rows[RURAL]["reasons"]]


def test_a_sale_in_the_period_takes_a_household_out(client, make_user, bearer, hand_built):
    coop = CooperativeFactory(commune_code=RURAL)
    _paid(
        hand_built["COUNTS-LOAN"], coop, datetime(2026, 3, 31, 17, 0, tzinfo=UTC)
    )  # 1 April, 0:00 VN
    db.session.commit()
    headers = bearer(make_user("official", province_wide=True))
    assert _targeting(client, headers)[RURAL]["supported_without_sales"] == 3  # after the period
    _paid(
        hand_built["COUNTS-LOAN"], coop, datetime(2025, 12, 31, 17, 0, tzinfo=UTC)
    )  # 1 Jan, 0:00 VN
    db.session.commit()
    assert _targeting(client, headers)[RURAL]["supported_without_sales"] == 2


def test_the_count_follows_the_scope_and_the_filters(client, make_user, bearer, hand_built):
    official = bearer(make_user("official"))  # Đạo Trù only
    assert set(_targeting(client, official)) == {RURAL}
    province = bearer(make_user("official", province_wide=True))
    assert (
        _targeting(client, province, official_status="near_poor")[RURAL]["supported_without_sales"]
        == 1
    )
    assert set(_targeting(client, province, commune=URBAN)) == {URBAN}


def test_it_breaks_ties_between_equal_scores(app, make_user, hand_built):
    from linkage.services.impact import ImpactFilters, rank_communes
    from linkage.services.periods import Month, Period

    official = make_user("official", province_wide=True)
    period = Period(Month(2026, 1), Month(2026, 3))
    ranked = rank_communes(official, period, ImpactFilters())
    scores = {
        row.commune_code: (row.need_score, row.supported_without_sales) for row in ranked.rows
    }
    assert scores[RURAL][1] == 3 and scores[URBAN][1] == 1
    first, second = ranked.rows[:2]
    assert (first.need_score, first.supported_without_sales) >= (
        second.need_score,
        second.supported_without_sales,
    )


def _csv_table(text):
    lines = list(csv.reader(io.StringIO(text)))
    start = next(i for i, line in enumerate(lines) if HEADER in line)
    header = lines[start]
    return {line[header.index("Code")]: line for line in lines[start + 1 :] if line}, header


def test_the_page_and_the_exports_have_the_column(client, login_as, hand_built):
    login_as("official", province_wide=True, locale="en")
    page = client.get("/official/", query_string={**PERIOD, "section": "targeting"}).text
    assert HEADER in page
    assert 'data-key="supported_without_sales" data-value="3"' in page
    rows, header = _csv_table(
        client.get("/official/export/targeting.csv", query_string=PERIOD).text
    )
    column = header.index(HEADER)
    assert rows[RURAL][column] == "3" and rows[URBAN][column] == "1"
    response = client.get("/official/export/targeting.xlsx", query_string=PERIOD)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(values) if HEADER in row)
    column, code = values[start].index(HEADER), values[start].index("Code")
    counts = {row[code]: row[column] for row in values[start + 1 :] if row[code]}
    assert counts[RURAL] == 3 and counts[URBAN] == 1
