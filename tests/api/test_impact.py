"""Impact API: fields, scope, pagination, grouping, audit, re-classification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from linkage.extensions import db
from models import (
    AuditEntry,
    Commune,
    Household,
    OfficialStatus,
    OfficialStatusChange,
    Payment,
    PaymentKind,
)

from ..aggregates_helpers import written_directly
from ..factories_impact import PERIOD, RURAL, URBAN, small_province


@pytest.fixture
def province(app):
    return small_province()


def _province_official(make_user):
    return make_user("official", province_wide=True)


def test_household_projection_fields(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = client.get("/api/v1/impact/households", query_string=PERIOD, headers=headers).json
    assert (body["period_start"], body["period_end"], body["standard_code"]) == (
        "2026-01",
        "2026-03",
        "VN-2022-2025",
    )
    assert body["total"] == 4
    rows = {item["code"]: item for item in body["items"]}
    assert set(rows["H-POOR"]) >= {
        "household_id",
        "code",
        "commune_code",
        "members",
        "official_status",
        "deprivations",
        "baseline_income_vnd",
        "platform_income_vnd",
        "attributed_sales_vnd",
        "projected_income_vnd",
        "poverty_line_vnd",
        "projected_status",
        "transition",
    }
    assert rows["H-POOR"]["platform_income_vnd"] == 1_800_000
    assert rows["H-POOR"]["attributed_sales_vnd"] == 3_000_000
    assert rows["H-POOR"]["projected_income_vnd"] == 1_500_000
    assert (rows["H-POOR"]["projected_status"], rows["H-POOR"]["transition"]) == (
        "poor",
        "unchanged",
    )
    assert rows["H-NEAR"]["platform_income_vnd"] == 1_200_000
    assert (rows["H-NEAR"]["projected_status"], rows["H-NEAR"]["transition"]) == (
        "not_poor",
        "exit",
    )
    assert rows["H-WARD"]["poverty_line_vnd"] == 2_000_000
    # 1,900,000 + 600,000 / 9 = 1,966,666 <= 2,000,000 (the urban line): near poor, worsened
    assert rows["H-WARD"]["projected_status"] == "near_poor"
    assert rows["H-WARD"]["transition"] == "worsened"
    assert "head_name" not in rows["H-POOR"]


def test_filters_and_pagination(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))

    def get(**query):
        return client.get(
            "/api/v1/impact/households", query_string={**PERIOD, **query}, headers=headers
        ).json

    assert get(transition="exit")["total"] == 1
    assert get(projected_status="not_poor")["total"] == 2
    assert get(commune=URBAN)["total"] == 1
    assert {i["code"] for i in get(cooperative=province["b"].id)["items"]} == {"H-NEAR", "H-WARD"}
    page = get(per_page=3, page=2)
    assert (page["page"], page["per_page"], page["total"], len(page["items"])) == (2, 3, 4, 1)


def test_commune_official_sees_only_their_communes(client, make_user, bearer, province):
    official = make_user("official")  # Đạo Trù only
    headers = bearer(official)
    body = client.get("/api/v1/impact/households", query_string=PERIOD, headers=headers).json
    assert {item["code"] for item in body["items"]} == {"H-POOR", "H-NEAR", "H-RICH"}
    out = client.get(
        "/api/v1/impact/households", query_string={**PERIOD, "commune": URBAN}, headers=headers
    )
    assert out.status_code == 404
    summary = client.get(
        "/api/v1/impact/summary", query_string={**PERIOD, "commune": URBAN}, headers=headers
    )
    assert summary.status_code == 404
    body = client.get("/api/v1/impact/summary", query_string=PERIOD, headers=headers).json
    assert [row["key"] for row in body["rows"]] == [RURAL]
    assert body["totals"]["households"] == 3


@pytest.mark.parametrize("role", ["buyer", "manager"])
def test_buyers_and_managers_get_nothing(client, make_user, bearer, province, role):
    headers = bearer(make_user(role))
    for path in ("/api/v1/impact/households", "/api/v1/impact/summary"):
        response = client.get(path, query_string=PERIOD, headers=headers)
        assert response.status_code == 403
        assert "H-POOR" not in response.get_data(as_text=True)
    assert client.get("/api/v1/impact/summary").status_code == 401


def test_summary_by_commune(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = client.get(
        "/api/v1/impact/summary", query_string={**PERIOD, "group_by": "commune"}, headers=headers
    ).json
    rows = {row["key"]: row for row in body["rows"]}
    rural = rows[RURAL]
    assert rural["label"] == "Đạo Trù"
    assert (rural["households"], rural["poor"], rural["near_poor"]) == (3, 1, 1)
    assert rural["platform_income_vnd"] == 3_000_000
    assert rural["attributed_sales_vnd"] == 5_000_000
    assert rural["income_to_poor_vnd"] == 1_800_000
    assert rural["income_to_near_poor_vnd"] == 1_200_000
    assert (rural["projected_exits"], rural["projected_worsened"]) == (1, 0)
    assert rural["sales_vnd"] == 5_000_000  # the paid order of HTX A, located in Đạo Trù
    assert rows[URBAN]["sales_vnd"] == 0
    assert body["totals"]["households"] == 4
    assert body["totals"]["platform_income_vnd"] == 3_600_000
    assert body["totals"]["sales_vnd"] == 5_000_000


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("region", {"mountain": 3, "urban": 1}),
        ("former_province", {"vinh_phuc": 3, "phu_tho": 1}),
        ("official_status", {"poor": 1, "near_poor": 1, "not_poor": 2}),
        ("ethnicity", {"09": 1, "01": 3}),
    ],
)
def test_summary_groupings(client, make_user, bearer, province, group, expected):
    headers = bearer(_province_official(make_user))
    body = client.get(
        "/api/v1/impact/summary", query_string={**PERIOD, "group_by": group}, headers=headers
    ).json
    assert {row["key"]: row["households"] for row in body["rows"]} == expected
    assert all(row["label"] for row in body["rows"])


def test_summary_by_cooperative_splits_income_by_who_paid(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = client.get(
        "/api/v1/impact/summary",
        query_string={**PERIOD, "group_by": "cooperative"},
        headers=headers,
    ).json
    rows = {row["label"]: row for row in body["rows"]}
    assert rows["HTX A"]["households"] == 3
    assert rows["HTX A"]["platform_income_vnd"] == 2_700_000
    assert rows["HTX B"]["households"] == 2
    assert rows["HTX B"]["platform_income_vnd"] == 900_000
    assert rows["HTX B"]["income_to_near_poor_vnd"] == 300_000
    assert rows["HTX A"]["sales_vnd"] == 5_000_000


def test_bad_periods_are_422(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    for query in ({"period_start": "2026-13"}, {"group_by": "colour"}):
        response = client.get("/api/v1/impact/summary", query_string=query, headers=headers)
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"


def test_household_level_reads_are_audited(client, make_user, bearer, province):
    official = _province_official(make_user)
    client.get(
        "/api/v1/impact/households",
        query_string={**PERIOD, "transition": "exit"},
        headers=bearer(official),
    )
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "impact_households")
    ).one()
    assert entry.actor_id == official.id
    assert entry.action.value == "read"
    assert entry.new_values["transition"] == "exit"


def test_reclassification_by_an_official_in_scope(client, make_user, bearer, province):
    official = make_user("official")  # Đạo Trù
    household = province["near"]
    response = client.post(
        f"/api/v1/households/{household.id}/reclassify",
        json={"official_status": "not_poor", "reason": "Rà soát cuối năm 2026"},
        headers=bearer(official),
    )
    assert response.status_code == 200
    assert response.json["previous_status"] == "near_poor"
    assert db.session.get(Household, household.id).official_status == OfficialStatus.NOT_POOR
    change = db.session.scalars(db.select(OfficialStatusChange)).one()
    assert change.recorded_by_id == official.id
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.entity_type == "household")
    ).one()
    assert entry.old_values["official_status"] == "near_poor"
    assert entry.reason == "Rà soát cuối năm 2026"


def test_reclassification_out_of_scope_or_without_reason(client, make_user, bearer, province):
    official = make_user("official")  # Đạo Trù only
    ward = province["ward"]
    response = client.post(
        f"/api/v1/households/{ward.id}/reclassify",
        json={"official_status": "poor", "reason": "Lý do đủ dài"},
        headers=bearer(official),
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/v1/households/{province['poor'].id}/reclassify",
        json={"official_status": "near_poor", "reason": ""},
        headers=bearer(official),
    )
    assert response.status_code == 422
    manager = make_user("manager")
    response = client.post(
        f"/api/v1/households/{province['poor'].id}/reclassify",
        json={"official_status": "near_poor", "reason": "Lý do đủ dài"},
        headers=bearer(manager),
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(OfficialStatusChange.id))) == 0
    assert db.session.get(Household, ward.id).official_status == OfficialStatus.NOT_POOR


def test_summary_by_product(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = client.get(
        "/api/v1/impact/summary", query_string={**PERIOD, "group_by": "product"}, headers=headers
    ).json
    rows = {row["key"]: row for row in body["rows"]}
    assert set(rows) == {"PT-BA-KICH-KHO", "other_payments"}
    dried = rows["PT-BA-KICH-KHO"]
    assert dried["households"] == 2
    assert dried["attributed_sales_vnd"] == 5_000_000
    assert dried["sales_vnd"] == 5_000_000
    assert dried["platform_income_vnd"] == 0  # surplus payments belong to no product...
    other = rows["other_payments"]  # ...but to a row of their own: the columns add up
    assert other["sales_vnd"] == other["attributed_sales_vnd"] == 0
    for column in ("sales_vnd", "platform_income_vnd", "attributed_sales_vnd"):
        assert sum(row[column] for row in rows.values()) == body["totals"][column], column


def _get(client, headers, path, **query):
    response = client.get(
        f"/api/v1/impact/{path}", query_string={**PERIOD, **query}, headers=headers
    )
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"region": "urban"}, {"H-WARD"}),
        ({"region": "mountain"}, {"H-POOR", "H-NEAR", "H-RICH"}),
        ({"former_province": "phu_tho"}, {"H-WARD"}),
        ({"ethnicity_group": "minority"}, {"H-POOR"}),
        ({"ethnicity_group": "kinh"}, {"H-NEAR", "H-RICH", "H-WARD"}),
        ({"official_status": "not_poor"}, {"H-RICH", "H-WARD"}),
        ({"product_category": "processed"}, {"H-POOR", "H-NEAR"}),
        ({"product_category": "crop"}, set()),
        ({"meritorious": "true"}, {"H-RICH"}),
        ({"needs_review": "true"}, {"H-NEAR"}),
        ({"needs_review": "false", "region": "mountain"}, {"H-POOR", "H-RICH"}),
    ],
)
def test_household_filters(client, make_user, bearer, province, query, codes):
    province["rich"].meritorious = True
    province["near"].needs_review = True
    db.session.commit()
    headers = bearer(_province_official(make_user))
    body = _get(client, headers, "households", **query)
    assert {item["code"] for item in body["items"]} == codes
    assert _get(client, headers, "summary", **query)["totals"]["households"] == len(codes)


def test_place_and_category_filters_narrow_the_sales(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    assert _get(client, headers, "summary", region="mountain")["totals"]["sales_vnd"] == 5_000_000
    assert _get(client, headers, "summary", region="urban")["totals"]["sales_vnd"] == 0
    assert _get(client, headers, "summary", product_category="crop")["totals"]["sales_vnd"] == 0
    processed = _get(client, headers, "summary", product_category="processed")["totals"]
    assert processed["sales_vnd"] == 5_000_000
    # household filters narrow the households, not the cooperatives' market sales
    kinh = _get(client, headers, "summary", ethnicity_group="kinh")["totals"]
    assert (kinh["households"], kinh["sales_vnd"], kinh["attributed_sales_vnd"]) == (
        3,
        5_000_000,
        2_000_000,
    )


def test_sorting_the_household_list(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))

    def codes(sort):
        return [item["code"] for item in _get(client, headers, "households", sort=sort)["items"]]

    # gap = projected income - line: poor 1.5M-1.5M=0, ward 1,966,666-2M<0, near/rich above
    assert codes("gap") == ["H-WARD", "H-POOR", "H-NEAR", "H-RICH"]
    assert codes("-platform_income") == ["H-POOR", "H-NEAR", "H-WARD", "H-RICH"]
    assert codes("code") == ["H-NEAR", "H-POOR", "H-RICH", "H-WARD"]
    response = client.get(
        "/api/v1/impact/households", query_string={"sort": "name"}, headers=headers
    )
    assert response.status_code == 422


def test_summary_new_groupings_and_figures(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = _get(client, headers, "summary", group_by="ethnicity_group")
    rows = {row["key"]: row for row in body["rows"]}
    assert {key: row["households"] for key, row in rows.items()} == {"kinh": 3, "minority": 1}
    assert rows["minority"]["attributed_sales_vnd"] == 3_000_000
    assert all(row["label"] for row in body["rows"])
    categories = _get(client, headers, "summary", group_by="product_category")["rows"]
    by_key = {r["key"]: (r["households"], r["sales_vnd"]) for r in categories}
    assert set(by_key) == {"processed", "other_payments"}  # surplus payments: their own row
    assert by_key["processed"] == (2, 5_000_000)
    assert by_key["other_payments"][1] == 0
    totals = body["totals"]
    assert totals["cooperatives"] == 2
    assert (
        totals["projected_exits"]
        + totals["projected_improved"]
        + totals["projected_unchanged"]
        + totals["projected_worsened"]
        == totals["households"]
    )
    assert (
        _get(client, headers, "summary", cooperative=province["a"].id)["totals"]["cooperatives"]
        == 1
    )


def test_monthly_figures_follow_vietnam_months(client, make_user, bearer, province):
    a, ward = province["a"], province["ward"]
    for moment, amount in (
        (datetime(2026, 1, 31, 17, 0, tzinfo=UTC), 10_000),  # 1 February 00:00 in Vietnam
        (datetime(2026, 1, 31, 16, 59, tzinfo=UTC), 20_000),  # still 31 January
        (datetime(2026, 3, 31, 17, 30, tzinfo=UTC), 40_000),  # April in Vietnam: outside
    ):
        db.session.add(
            Payment(
                cooperative_id=a.id,
                household_id=ward.id,
                kind=PaymentKind.SURPLUS,
                amount_vnd=amount,
                paid_at=moment,
            )
        )
        written_directly()
    db.session.commit()
    headers = bearer(_province_official(make_user))
    body = _get(client, headers, "monthly")
    assert (body["period_start"], body["period_end"]) == ("2026-01", "2026-03")
    months = {row["month"]: row for row in body["months"]}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    assert months["2026-01"]["platform_income_vnd"] == 20_000
    assert months["2026-02"]["platform_income_vnd"] == 10_000
    assert months["2026-03"] == {
        "month": "2026-03",
        "sales_vnd": 5_000_000,
        "platform_income_vnd": 3_600_000,
        "attributed_sales_vnd": 5_000_000,
    }
    summary = _get(client, headers, "summary")["totals"]
    assert sum(r["platform_income_vnd"] for r in body["months"]) == summary["platform_income_vnd"]
    assert sum(r["sales_vnd"] for r in body["months"]) == summary["sales_vnd"]
    urban = _get(client, headers, "monthly", region="urban")["months"]
    assert [r["sales_vnd"] for r in urban] == [0, 0, 0]
    assert [r["platform_income_vnd"] for r in urban] == [20_000, 10_000, 600_000]


@pytest.mark.parametrize("path", ["summary", "households", "monthly", "targeting", "supports"])
def test_bounds_in_reverse_order_are_read_in_order(client, make_user, bearer, province, path):
    """The document cannot say that period_end comes after period_start: bounds given the
    other way round name the same months, and the answer says which months were read."""
    headers = bearer(_province_official(make_user))
    forward = _get(client, headers, path, period_start="2026-01", period_end="2026-03")
    backward = _get(client, headers, path, period_start="2026-03", period_end="2026-01")
    assert backward == forward
    if "period_start" in forward:
        assert (forward["period_start"], forward["period_end"]) == ("2026-01", "2026-03")


def test_a_period_of_a_century_is_answered(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    whole = _get(client, headers, "monthly", period_start="2000-01", period_end="2099-12")
    assert len(whole["months"]) == 1200
    assert sum(m["sales_vnd"] for m in whole["months"]) == 5_000_000
    summary = _get(client, headers, "summary", period_start="2000-01", period_end="2030-12")
    assert summary["totals"]["sales_vnd"] == 5_000_000
    # no poverty standard recorded reaches the end of 2099: the records forbid a projection
    response = client.get(
        "/api/v1/impact/summary",
        query_string={"period_start": "2000-01", "period_end": "2099-12"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "31/12/2099" in response.json["detail"]


def test_targeting_ranks_communes_by_need_with_reasons(client, make_user, bearer, province):
    headers = bearer(_province_official(make_user))
    body = _get(client, headers, "targeting")
    assert body["standard_code"] == "VN-2022-2025"
    ranked = [(row["rank"], row["commune_code"]) for row in body["rows"]]
    assert ranked == [(1, RURAL), (2, URBAN)]
    rural, urban = body["rows"]
    assert (rural["households"], rural["poor"], rural["near_poor"]) == (3, 1, 1)
    assert rural["poor_near_poor_share"] == pytest.approx(2 / 3)
    assert rural["income_per_household_vnd"] == 1_000_000  # 3,000,000 over 3 households
    assert urban["income_per_household_vnd"] == 600_000
    # the scope average is the mean over communes: (1,000,000 + 600,000) / 2
    assert body["scope_income_per_household_vnd"] == 800_000
    assert body["scope_poor_near_poor_share"] == pytest.approx(0.5)
    assert [r["code"] for r in rural["reasons"]] == ["high_poverty"]
    assert [r["code"] for r in urban["reasons"]] == ["low_income"]
    assert all(r["text"] for r in rural["reasons"] + urban["reasons"])
    assert rural["need_score"] == round((2 / 3 + 0 + 0) / 3 * 100)
    assert urban["need_score"] == round((0 + 0.25 + 0) / 3 * 100)
    not_reached = {c["commune_code"] for c in body["not_reached"]}
    assert RURAL not in not_reached and URBAN not in not_reached
    assert len(not_reached) == 146


def test_a_commune_official_gets_only_their_commune(client, make_user, bearer, province):
    headers = bearer(make_user("official"))  # Đạo Trù
    targeting = _get(client, headers, "targeting")
    assert [row["commune_code"] for row in targeting["rows"]] == [RURAL]
    assert targeting["not_reached"] == []
    months = _get(client, headers, "monthly")["months"]
    assert sum(r["platform_income_vnd"] for r in months) == 3_000_000
    for path in ("monthly", "targeting", "summary", "households"):
        response = client.get(
            f"/api/v1/impact/{path}", query_string={**PERIOD, "commune": URBAN}, headers=headers
        )
        assert response.status_code == 404, path


def test_targeting_reasons_for_a_disadvantaged_commune_without_income(
    client, make_user, bearer, province
):
    ward = db.session.get(Commune, URBAN)
    db.session.execute(db.delete(Payment).where(Payment.household_id == province["ward"].id))
    written_directly()
    ward.disadvantaged = True
    db.session.commit()
    try:
        body = _get(client, bearer(_province_official(make_user)), "targeting")
    finally:
        db.session.get(Commune, URBAN).disadvantaged = False
        db.session.commit()
    first = body["rows"][0]
    assert first["commune_code"] == URBAN  # no income and disadvantaged: most in need
    assert [r["code"] for r in first["reasons"]] == ["no_income", "disadvantaged"]
    assert first["need_score"] == round((0 + 1 + 1) / 3 * 100)
    assert first["disadvantaged"] is True


@pytest.mark.parametrize(
    "query",
    [{"period_end": "0000-01"}, {"period_end": "9999-12"}, {"period_start": "0001-01"}],
)
def test_months_outside_2000_to_2099_are_422(client, make_user, bearer, query):
    headers = bearer(_province_official(make_user))
    for path in ("summary", "households", "monthly", "targeting"):
        response = client.get(f"/api/v1/impact/{path}", query_string=query, headers=headers)
        assert response.status_code == 422, (path, query)
