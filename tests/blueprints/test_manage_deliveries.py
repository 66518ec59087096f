"""Recording a delivery: the confirmation of an unusual entry (lot page and dashboard), and the
dashboard's "Record a delivery" panel with its household look-up."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from linkage.extensions import db
from models import AuditEntry, Collection, LotOrigin, Membership, Payment, utcnow

from ..factories_listings import make_collection
from ..factories_valuechain import lot_of, member_of


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


@pytest.fixture
def lien(coop):
    """Dương Thị Liên, who delivered 200 kg of fresh ba kích at 75,000 ₫ last week."""
    household = member_of(coop, code="DT-0007", head_name="Dương Thị Liên")
    history = lot_of(coop, "200")
    make_collection(history, household, "200", 75_000, utcnow() - timedelta(days=7))
    db.session.commit()
    return household


def input_tag(page: str, name: str) -> str:
    """The visible <input> of a field, as rendered."""
    return next(
        tag
        for tag in re.findall(r"<input [^>]*>", page)
        if f'name="{name}"' in tag and 'type="hidden"' not in tag
    )


def written() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Collection, Payment, AuditEntry)
    )


def _lot_post(lot, household, **change):
    return {
        "household_id": str(household.id),
        "quantity": "10",
        "unit_price_vnd": "80000",
        "collected_at": utcnow().date().isoformat(),
        **change,
    }


# --- confirmation of an unusual entry, on the lot page ------------------------------------------


def test_an_unusual_price_is_shown_back_and_written_only_once_confirmed(client, coop, lien):
    lot = lot_of(coop)
    db.session.commit()
    url = f"/manage/{coop.id}/lots/{lot.id}/collections"
    before = written()

    response = client.post(url, data=_lot_post(lot, lien, unit_price_vnd="300000"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert written() == before  # nothing yet
    assert "Check this delivery before saving it" in page
    assert "DT-0007 — Dương Thị Liên" in page
    assert "10 kg" in page and "300,000 ₫/kg" in page and "3,000,000 ₫" in page
    assert (
        "the price is more than 3 times the median price of the last 90 days (75,000 ₫/kg)." in page
    )
    assert 'name="confirmed" value="1"' in page
    assert 'href="#quantity"' in page  # "Change" goes back to the filled-in form
    assert 'value="10"' in input_tag(page, "quantity")

    again = client.post(url, data=_lot_post(lot, lien, unit_price_vnd="300000"))
    assert again.status_code == 200 and written() == before  # asked again, still nothing

    confirmed = client.post(url, data=_lot_post(lot, lien, unit_price_vnd="300000", confirmed="1"))
    assert confirmed.status_code == 303
    new = db.session.scalars(select(Collection).where(Collection.lot_id == lot.id)).one()
    assert (new.quantity, new.unit_price_vnd, new.amount_vnd) == (Decimal("10"), 300_000, 3_000_000)
    assert written() == (before[0] + 1, before[1] + 1, before[2] + 2)  # collection, payment
    follow = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Recorded 10 kg from household DT-0007 (Dương Thị Liên): pay 3,000,000 ₫." in follow


def test_a_plausible_entry_is_saved_at_once(client, coop, lien):
    lot = lot_of(coop)
    db.session.commit()
    response = client.post(
        f"/manage/{coop.id}/lots/{lot.id}/collections",
        data=_lot_post(lot, lien, quantity="2000", unit_price_vnd="225000"),  # 10x, 3x
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).where(Collection.lot_id == lot.id)) == 1


def test_the_deliveries_show_the_last_recorded_first_with_the_new_one_marked(client, coop, lien):
    lot = lot_of(coop)
    older = make_collection(lot, lien, "3", 80_000, utcnow() - timedelta(days=1))
    db.session.commit()
    response = client.post(
        f"/manage/{coop.id}/lots/{lot.id}/collections", data=_lot_post(lot, lien)
    )
    new = db.session.scalars(select(Collection).order_by(Collection.id.desc())).first()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    rows = page.split('id="deliveries"')[1]
    assert rows.index(f'id="delivery-{new.id}"') < rows.index(f'id="delivery-{older.id}"')
    assert f'<tr class="is-new" id="delivery-{new.id}">' in rows
    assert "800,000 ₫" in rows  # its amount
    assert 'class="flashes" role="status" tabindex="-1" autofocus' in page


def test_errors_take_the_focus_and_write_nothing(client, coop, lien):
    lot = lot_of(coop)
    db.session.commit()
    before = written()
    response = client.post(
        f"/manage/{coop.id}/lots/{lot.id}/collections", data=_lot_post(lot, lien, quantity="")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<div class="error-summary" role="alert" tabindex="-1" autofocus>' in page
    assert "Check this delivery" not in page
    assert written() == before


# --- the dashboard panel ------------------------------------------------------------------------


def _panel_post(lot, household="lien", **change):
    return {
        "lot_id": str(lot.id),
        "household": household,
        "quantity": "1200",
        "unit_price_vnd": "80000",
        **change,
    }


def test_the_dashboard_leads_with_the_panel_of_open_lots(client, coop, make_user):
    empty = lot_of(coop, code="PT-GIAO-CO-LAM-TUOI")
    holding = lot_of(coop, "5")
    emptied = lot_of(coop, "5")
    emptied.quantity_remaining = Decimal("0")
    processed = lot_of(coop, "5", origin=LotOrigin.TRANSFORMATION)
    theirs = lot_of(make_user("manager").cooperatives[0])
    db.session.commit()

    page = client.get(f"/manage/{coop.id}/").get_data(as_text=True)

    assert "autofocus" not in page.split('id="record-delivery"')[1].split(">")[0]  # "Welcome"
    page = client.get(f"/manage/{coop.id}/").get_data(as_text=True)
    panel = page.split('id="record-delivery"')[1].split("</section>")[0]
    assert page.index('id="record-delivery"') < page.index('class="cards four"')
    assert "autofocus" in page.split('id="record-delivery"')[1].split(">")[0]
    option = f"{empty.code} — Giảo cổ lam tươi · Jiaogulan herb (fresh) (kg)"  # display_name
    assert f'<option data-unit="kg" value="{empty.id}">{option}</option>' in panel
    assert panel.index(f'value="{holding.id}"') < panel.index(f'value="{empty.id}"')  # newest first
    for closed in (emptied, processed, theirs):
        assert f'value="{closed.id}"' not in panel
    assert f'href="/manage/{coop.id}/lots/new"' in panel
    assert f'action="/manage/{coop.id}/deliveries"' in panel
    assert 'src="/static/js/delivery.js?v=' in page


def test_without_an_open_lot_the_panel_offers_to_open_one(client, coop):
    page = client.get(f"/manage/{coop.id}/").get_data(as_text=True)
    panel = page.split('id="record-delivery"')[1].split("</section>")[0]
    assert "No lot is open for deliveries." in panel
    assert f'href="/manage/{coop.id}/lots/new"' in panel
    assert 'name="quantity"' not in panel


def test_record_a_delivery_from_the_dashboard_finding_the_household_without_accents(
    client, coop, lien
):
    member_of(coop, code="DT-0008", head_name="Triệu Văn Sơn")
    lot = lot_of(coop)
    db.session.commit()

    response = client.post(f"/manage/{coop.id}/deliveries", data=_panel_post(lot))

    assert response.status_code == 303, response.get_data(as_text=True)
    new = db.session.scalars(select(Collection).where(Collection.lot_id == lot.id)).one()
    assert (new.household_id, new.quantity, new.amount_vnd) == (
        lien.id,
        Decimal("1200"),
        96_000_000,
    )
    assert response.headers["Location"].endswith(f"/manage/{coop.id}/?new={new.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Recorded 1,200 kg from household DT-0007 (Dương Thị Liên): pay 96,000,000 ₫." in page
    recent = page.split('id="recent-deliveries"')[1].split("</table>")[0]
    first_row = recent.split("<tbody>")[1].split("</tr>")[0]
    assert f'class="is-new" data-delivery="{new.id}"' in first_row
    assert "1,200 kg" in first_row and "96,000,000 ₫" in first_row
    assert f'<option data-unit="kg" selected value="{lot.id}">' in page  # the lot stays chosen
    # the message has the focus, not the panel
    assert 'class="flashes" role="status" tabindex="-1" autofocus' in page
    assert "autofocus" not in page.split('id="record-delivery"')[1].split(">")[0]


@pytest.mark.parametrize(("typed", "code"), [("dt-0007", "DT-0007"), ("DUONG THI", "DT-0007")])
def test_a_code_or_a_name_names_the_household(client, coop, lien, typed, code):
    member_of(coop, code="DT-00071", head_name="Hà Văn Dương")  # the code contains DT-0007
    lot = lot_of(coop)
    db.session.commit()
    response = client.post(f"/manage/{coop.id}/deliveries", data=_panel_post(lot, typed))
    assert response.status_code == 303
    new = db.session.scalars(select(Collection).where(Collection.lot_id == lot.id)).one()
    assert new.household.code == code


def test_a_name_that_matches_several_lists_them_to_choose_from(client, coop, lien):
    other = member_of(coop, code="DT-0009", head_name="Lò Thị Liên")
    lot = lot_of(coop)
    db.session.commit()
    before = written()

    response = client.post(f"/manage/{coop.id}/deliveries", data=_panel_post(lot))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert written() == before
    assert "Several member households match “lien”: choose one." in page
    for household in (lien, other):
        assert f'type="radio" value="{household.id}"' in page
        assert f"{household.code} — {household.head_name}" in page
    assert 'value="lien"' in input_tag(page, "household")

    chosen = client.post(
        f"/manage/{coop.id}/deliveries",
        data=_panel_post(lot, household_id=str(other.id), quantity="10"),
    )
    assert chosen.status_code == 303
    new = db.session.scalars(select(Collection).where(Collection.lot_id == lot.id)).one()
    assert new.household_id == other.id


def test_a_chosen_household_that_the_text_does_not_name_is_not_taken(client, coop, lien):
    stranger = member_of(coop, code="DT-0100", head_name="Hoàng Văn Tài")
    lot = lot_of(coop)
    db.session.commit()
    response = client.post(
        f"/manage/{coop.id}/deliveries", data=_panel_post(lot, household_id=str(stranger.id))
    )
    assert response.status_code == 303
    new = db.session.scalars(select(Collection).where(Collection.lot_id == lot.id)).one()
    assert new.household_id == lien.id  # "lien" names Liên; the stale choice is ignored


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"household": "nobody"}, "household", "No member household matches “nobody”."),
        ({"household": ""}, "household", "Enter the household's code or part of its name."),
        ({"lot_id": ""}, "lot_id", "Choose the lot the produce goes into."),
        ({"lot_id": "OTHER"}, "lot_id", "Not a valid choice."),
        ({"quantity": "abc"}, "quantity", "Enter a number"),
        ({"unit_price_vnd": ""}, "unit_price_vnd", "Enter the price"),
    ],
)
def test_bad_dashboard_entries_show_the_error_and_write_nothing(
    client, coop, lien, make_user, change, field, message
):
    lot = lot_of(coop)
    theirs = lot_of(make_user("manager").cooperatives[0])
    db.session.commit()
    data = _panel_post(lot, **change)
    data = {key: str(theirs.id) if value == "OTHER" else value for key, value in data.items()}
    before = written()

    response = client.post(f"/manage/{coop.id}/deliveries", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'<a href="#{field}">' in page  # in the error summary, which takes the focus
    assert '<div class="error-summary" role="alert" tabindex="-1" autofocus>' in page
    assert written() == before


def test_a_household_that_left_is_not_found(client, coop, lien):
    membership = db.session.scalars(
        select(Membership).where(Membership.household_id == lien.id)
    ).one()
    membership.left_on = utcnow().date()
    lot = lot_of(coop)
    db.session.commit()
    response = client.post(f"/manage/{coop.id}/deliveries", data=_panel_post(lot))
    assert response.status_code == 422
    assert "No member household matches “lien”." in response.get_data(as_text=True)


def test_an_unusual_dashboard_entry_is_confirmed_before_it_is_written(client, coop, lien):
    lot = lot_of(coop)
    db.session.commit()
    before = written()
    data = _panel_post(lot, quantity="2500")  # more than 10 times her 200 kg

    response = client.post(f"/manage/{coop.id}/deliveries", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert written() == before
    assert "the quantity is more than 10 times this household's median delivery (200 kg)." in page
    assert "2,500 kg" in page and "200,000,000 ₫" in page
    assert f'<input type="hidden" name="household_id" value="{lien.id}">' in page
    assert 'role="alert" tabindex="-1" autofocus aria-labelledby="confirm-title"' in page

    saved = client.post(f"/manage/{coop.id}/deliveries", data={**data, "confirmed": "1"})
    assert saved.status_code == 303
    assert written() == (before[0] + 1, before[1] + 1, before[2] + 2)


def test_access_to_the_panel(client, coop, login_as, make_user):
    theirs = make_user("manager").cooperatives[0]
    lot = lot_of(theirs)
    household = member_of(theirs, head_name="Dương Thị Liên")
    db.session.commit()
    data = _panel_post(lot, quantity="10")
    url = f"/manage/{theirs.id}/deliveries"
    assert client.post(url, data=data).status_code == 404  # another cooperative's manager
    assert client.post(f"/manage/{coop.id}/deliveries", data=data).status_code == 422
    for role in ("buyer", "official"):
        login_as(role)
        assert client.post(url, data=data).status_code == 403
    client.post("/logout")
    anonymous = client.post(url, data=data)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Collection)) == 0
    login_as("admin")
    assert client.post(url, data=data).status_code == 303
    assert db.session.scalars(select(Collection)).one().household_id == household.id


# --- the household list -------------------------------------------------------------------------


def test_the_household_list_search_ignores_accents(client, coop, lien):
    member_of(coop, code="DT-0008", head_name="Triệu Văn Sơn")
    db.session.commit()
    page = client.get(f"/manage/{coop.id}/households?q=lien").get_data(as_text=True)
    assert "Dương Thị Liên" in page and "Triệu Văn Sơn" not in page
    page = client.get(f"/manage/{coop.id}/households?q=Dương+thi").get_data(as_text=True)
    assert "Dương Thị Liên" in page and "Triệu Văn Sơn" not in page
