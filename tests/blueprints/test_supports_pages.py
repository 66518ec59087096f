"""Support pages of managers and officials: the household page's section beside the income by
month, the forms to record, correct and void (Vietnamese numbers), the official's import, and
who may open each route."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from linkage.services.periods import current_month
from models import CollectionStatus, RecordChange, Support, SupportProgramme

from ..factories_supports import REASON, give, paid_delivery, setting

CELL = re.compile(r'data-key="([^"]+)" data-value="([^"]*)"')


@pytest.fixture
def place(app):
    return setting()


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Support))


def text(response) -> str:
    return response.get_data(as_text=True)


def manager_urls(place, support: Support | None = None) -> dict[str, str]:
    coop, household = place.coop.id, place.household.id
    urls = {
        "household": f"/manage/{coop}/households/{household}/edit",
        "new": f"/manage/{coop}/households/{household}/supports/new",
    }
    if support is not None:
        base = f"/manage/{coop}/supports/{support.id}"
        urls.update(page=base, correct=f"{base}/correction", void=f"{base}/void")
    return urls


def official_urls(place, support: Support | None = None) -> dict[str, str]:
    household = place.household.id
    urls = {
        "household": f"/official/households/{household}",
        "new": f"/official/households/{household}/supports/new",
    }
    if support is not None:
        base = f"/official/supports/{support.id}"
        urls.update(page=base, correct=f"{base}/correction", void=f"{base}/void")
    return urls


def seedlings(prefix: str = "support", **overrides: str) -> dict[str, str]:
    data = {
        "programme": "crop_variety",
        "amount_vnd": "1.500.000",
        "received_on": "2026-03-12",
        "purpose_product_code": "PT-BA-KICH-TUOI",
        "term_months": "",
        "note": "Cây giống ba kích",
        **overrides,
    }
    return {f"{prefix}-{name}": value for name, value in data.items()}


# --- the household page ---------------------------------------------------------------------


def test_the_managers_household_page_shows_support_beside_income(client, login_as, place):
    loan = give(place.official, place.household)
    month = current_month()
    paid_at = datetime(month.year, month.month, 1, 5, tzinfo=UTC)
    paid_delivery(place.coop, place.household, paid_at, 300_000)
    paid_delivery(place.coop, place.household, paid_at, 80_000, "PT-BA-KICH-KHO")
    db.session.commit()
    login_as(user=place.manager)
    page = text(client.get(manager_urls(place)["household"]))
    assert 'id="supports"' in page
    assert f'data-support="{loan.id}"' in page
    assert "50.000.000 ₫" in page  # Vietnamese by default
    assert "10/03/2026" in page  # dd/mm/yyyy
    this_month = page[page.index(f'data-month="{month}"') :]
    this_month = this_month[: this_month.index("</tr>")]
    assert dict(CELL.findall(this_month)) == {
        "platform_income_vnd": "380000",
        "purpose_income_vnd": "300000",
    }
    assert "<mark>300.000 ₫</mark>" in this_month  # the purpose product's income, marked
    # the manager's form offers only the programmes a cooperative channels
    form = page[page.index('id="support-programme"') :]
    form = form[: form.index("</select>")]
    assert 'value="crop_variety"' in form
    assert 'value="policy_loan"' not in form


def test_the_officials_household_page_shows_the_section_for_its_period(client, login_as, place):
    give(place.official, place.household)
    paid_delivery(place.coop, place.household, datetime(2026, 3, 20, tzinfo=UTC), 200_000)
    db.session.commit()
    login_as(user=place.official)
    response = client.get(
        official_urls(place)["household"],
        query_string={"period_start": "2026-02", "period_end": "2026-04"},
    )
    assert response.status_code == 200
    page = text(response)
    assert re.findall(r'<tr data-month="([^"]+)">', page) == ["2026-02", "2026-03", "2026-04"]
    assert "<mark>200.000 ₫</mark>" in page
    form = page[page.index('id="support-programme"') :]
    assert 'value="policy_loan"' in form[: form.index("</select>")]


# --- recording ------------------------------------------------------------------------------


def test_a_manager_records_seedlings_typed_the_vietnamese_way(client, login_as, place):
    login_as(user=place.manager)
    response = client.post(manager_urls(place)["new"], data=seedlings())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(manager_urls(place)["household"] + "#supports")
    support = db.session.scalars(select(Support)).one()
    assert support.amount_vnd == 1_500_000  # "1.500.000" in Vietnamese
    assert support.programme == SupportProgramme.CROP_VARIETY
    assert support.recorded_by_id == place.manager.id


def test_a_manager_recording_a_policy_loan_is_refused_with_403(client, login_as, place):
    login_as(user=place.manager)
    response = client.post(
        manager_urls(place)["new"],
        data=seedlings(programme="policy_loan", term_months="60"),
    )
    # the select offers no loan to a manager: the form refuses the choice
    assert response.status_code == 422
    assert count() == 0


def test_the_service_refuses_a_loan_to_a_manager_with_403(client, login_as, place, monkeypatch):
    """Even if the form offered it, the service refuses it (403) and says who records loans."""
    from blueprints import support_pages as pages

    monkeypatch.setattr(pages.supports, "programmes_for", lambda _actor: list(SupportProgramme))
    login_as(user=place.manager)
    response = client.post(
        manager_urls(place)["new"],
        data=seedlings(programme="policy_loan", term_months="60"),
    )
    assert response.status_code == 403
    assert any(who in text(response) for who in ("officials", "cán bộ xã"))
    assert count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("amount_vnd", "1.5"), ("amount_vnd", ""), ("received_on", ""), ("programme", "grant")],
)
def test_bad_entries_are_shown_and_nothing_is_written(client, login_as, place, field, value):
    login_as(user=place.manager)
    response = client.post(manager_urls(place)["new"], data=seedlings(**{field: value}))
    assert response.status_code == 422
    assert f'id="support-{field}-error"' in text(response)
    assert count() == 0


def test_a_loan_without_term_is_refused_on_its_field(client, login_as, place):
    login_as(user=place.official)
    response = client.post(
        official_urls(place)["new"],
        data=seedlings(programme="policy_loan", amount_vnd="50.000.000"),
    )
    assert response.status_code == 422
    assert 'id="support-term_months-error"' in text(response)
    assert count() == 0


def test_an_official_records_a_policy_loan(client, login_as, place):
    login_as(user=place.official)
    response = client.post(
        official_urls(place)["new"],
        data=seedlings(programme="policy_loan", amount_vnd="50.000.000", term_months="60"),
    )
    assert response.status_code == 303
    loan = db.session.scalars(select(Support)).one()
    assert (loan.amount_vnd, loan.term_months) == (50_000_000, 60)


# --- correcting and voiding -----------------------------------------------------------------


def correction(**overrides: str) -> dict[str, str]:
    values = {
        "programme": "policy_loan",
        "amount_vnd": "50.000.000",
        "received_on": "2026-03-10",
        "term_months": "60",
        "note": "NHCSXH - cho vay hộ nghèo",
        "reason": REASON,
    }
    return seedlings("correct", **{**values, **overrides})


def test_an_official_corrects_a_loan_and_the_history_is_shown(client, login_as, place):
    loan = give(place.official, place.household)
    db.session.commit()
    login_as(user=place.official)
    urls = official_urls(place, loan)
    page = text(client.get(urls["page"]))
    assert urls["correct"] in page and urls["void"] in page
    response = client.post(urls["correct"], data=correction(amount_vnd="1.200.000"))
    assert response.status_code == 303
    db.session.refresh(loan)
    assert loan.amount_vnd == 1_200_000
    assert loan.status == CollectionStatus.CORRECTED
    page = text(client.get(urls["page"]))
    assert REASON in page
    assert "<del>50.000.000 ₫</del>" in page
    assert "<ins>1.200.000 ₫</ins>" in page


def test_a_correction_that_changes_nothing_is_refused(client, login_as, place):
    loan = give(place.official, place.household)
    db.session.commit()
    login_as(user=place.official)
    response = client.post(official_urls(place, loan)["correct"], data=correction())
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 0


def test_a_void_is_kept_shown_and_counts_nowhere(client, login_as, place):
    seedling = give(
        place.manager,
        place.household,
        programme=SupportProgramme.CROP_VARIETY,
        term_months=None,
        amount_vnd=2_000_000,
    )
    db.session.commit()
    login_as(user=place.manager)
    urls = manager_urls(place, seedling)
    refused = client.post(urls["void"], data={"void-reason": REASON})  # not confirmed
    assert refused.status_code == 422
    response = client.post(urls["void"], data={"void-reason": REASON, "void-confirm": "y"})
    assert response.status_code == 303
    db.session.refresh(seedling)
    assert seedling.status == CollectionStatus.VOID
    page = text(client.get(urls["page"]))
    assert "status-void" in page
    assert REASON in page
    household = text(client.get(urls["household"]))
    assert 'data-status="void"' in household
    assert 'id="supports-total" data-value="0"' in household


def test_a_manager_sees_an_officials_loan_but_not_its_forms(client, login_as, place):
    loan = give(place.official, place.household)
    db.session.commit()
    login_as(user=place.manager)
    urls = manager_urls(place, loan)
    page = text(client.get(urls["page"]))
    assert 'id="officials-only"' in page
    assert urls["correct"] not in page
    response = client.post(urls["correct"], data=correction(amount_vnd="1"))
    assert response.status_code == 403
    response = client.post(urls["void"], data={"void-reason": REASON, "void-confirm": "y"})
    assert response.status_code == 403
    db.session.refresh(loan)
    assert loan.status == CollectionStatus.RECORDED


# --- route by route, role by role -------------------------------------------------------------


def routes(place, support: Support) -> dict[str, list[tuple[str, str]]]:
    m, o = manager_urls(place, support), official_urls(place, support)
    return {
        "manager": [
            ("GET", m["household"]),
            ("GET", m["new"]),
            ("POST", m["new"]),
            ("GET", m["page"]),
            ("POST", m["correct"]),
            ("POST", m["void"]),
        ],
        "official": [
            ("GET", o["household"]),
            ("GET", o["new"]),
            ("POST", o["new"]),
            ("GET", o["page"]),
            ("POST", o["correct"]),
            ("POST", o["void"]),
            ("GET", "/official/supports/import"),
            ("POST", "/official/supports/import"),
            ("GET", "/official/supports/template.csv"),
        ],
    }


# the official's import and its template concern no household: any official opens them
OWN_PAGES = ("/official/supports/import", "/official/supports/template.csv")


def status_of(client, method: str, url: str) -> int:
    return client.open(url, method=method, data={}).status_code


@pytest.mark.parametrize(
    ("who", "manager_pages", "official_pages"),
    [
        ("manager", "in", 403),
        ("other_manager", 404, 403),
        ("official", 403, "in"),
        ("outside_official", 403, 404),
        ("buyer", 403, 403),
        (None, 302, 302),
    ],
)
def test_who_may_open_each_route(client, login_as, place, who, manager_pages, official_pages):
    support = give(
        place.official,
        place.household,
        programme=SupportProgramme.CROP_VARIETY,
        term_months=None,
    )
    db.session.commit()
    if who is not None:
        login_as(user=getattr(place, who))
    for audience, expected in (("manager", manager_pages), ("official", official_pages)):
        for method, url in routes(place, support)[audience]:
            status = status_of(client, method, url)
            if expected == "in":
                assert status in (200, 422), (method, url, status)
            elif expected == 404 and url.startswith(OWN_PAGES):
                # the import and its template are the official's own pages: no household
                assert status in (200, 422), (method, url, status)
            else:
                assert status == expected, (method, url, status)
    assert count() == 1


def test_a_manager_of_another_cooperative_is_not_told_the_support_exists(client, login_as, place):
    support = give(place.official, place.household)
    db.session.commit()
    login_as(user=place.other_manager)
    other = place.other_coop.id
    assert client.get(f"/manage/{other}/supports/{support.id}").status_code == 404
    new = f"/manage/{other}/households/{place.household.id}/supports/new"
    assert client.get(new).status_code == 404


# --- the official's import ------------------------------------------------------------------

VI_FILE = (
    "Mã hộ,Chương trình hỗ trợ,Số tiền (đồng),Ngày nhận,Thời hạn vay (tháng)\r\n"
    "DT-0001,Vay vốn chính sách,50.000.000,15/03/2025,60\r\n"
    "DT-0002,Giống cây trồng,2.500.000,02/04/2025,\r\n"
)


def upload(client, body: str, commune: str = "08914"):
    return client.post(
        "/official/supports/import",
        data={"commune": commune, "file": (io.BytesIO(body.encode()), "ho-tro.csv")},
        content_type="multipart/form-data",
    )


def test_the_import_page_records_a_clean_file(client, login_as, place):
    login_as(user=place.official)
    page = text(client.get("/official/supports/import"))
    assert "/official/supports/template.csv?language=vi" in page
    assert "/official/supports/template.csv?language=en" in page
    response = upload(client, VI_FILE)
    assert response.status_code == 303
    assert count() == 2
    assert "2" in text(client.get(response.headers["Location"]))


def test_the_import_page_lists_every_problem_and_writes_nothing(client, login_as, place):
    login_as(user=place.official)
    body = VI_FILE + "VT-0001,Giống cây trồng,1.5,32/01/2025,\r\n"
    response = upload(client, body)
    assert response.status_code == 422
    page = text(response)
    found = re.findall(r'<tr data-row="(\d+)" data-field="([^"]+)">', page)
    assert found == [("4", "household_code"), ("4", "amount_vnd"), ("4", "received_on")]
    assert count() == 0


def test_a_commune_outside_the_jurisdiction_cannot_be_chosen(client, login_as, place):
    login_as(user=place.official)
    assert upload(client, VI_FILE, commune="07900").status_code == 422
    assert count() == 0


@pytest.mark.parametrize(("language", "first"), [("vi", "Mã hộ"), ("en", "Household code")])
def test_the_template_in_both_languages(client, login_as, place, language, first):
    login_as(user=place.official)
    response = client.get("/official/supports/template.csv", query_string={"language": language})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).lstrip("\ufeff").startswith(first)
