"""Trace pages: the public page of a lot (QR label), the manager's trace, the mass balance."""

from __future__ import annotations

import json
import re

import pytest
from flask import url_for

from linkage.extensions import db
from linkage.services import trace as traces
from models import AuditEntry, CooperativeStatus, LotOrigin

from ..factories import HouseholdFactory, UserFactory
from ..factories_trace import FEB, JAN, build_chain, collect, lot, transform
from ..services.test_epcis import _validator, assert_no_household, assert_valid, collection_parties


@pytest.fixture
def chain(app):
    built = build_chain()
    db.session.commit()
    return built


def _text(response) -> str:
    return response.get_data(as_text=True)


def _assert_light_and_script_free(html: str) -> None:
    assert "<script" not in html
    assert "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


# --- public page /trace/<code> ----------------------------------------------------------------


def test_the_trace_url_is_trace_slash_code(app):
    with app.test_request_context():
        assert url_for("trace.lot", code="DT-2026-0001") == "/trace/DT-2026-0001"


def test_the_public_page_shows_the_chain_and_counts_households(client, chain):
    response = client.get(f"/trace/{chain.dried.code}?lang=en")
    assert response.status_code == 200
    html = _text(response)
    assert chain.dried.code in html
    assert chain.cooperative.name in html
    assert "Đạo Trù" in html
    for code in (chain.fresh_a.code, chain.fresh_b.code, chain.packed.code):
        assert f'href="/trace/{code}"' in html
    assert chain.gacp.number in html
    assert chain.expired.number in html  # valid at the January collections
    assert html.count("<table") == 3  # collections by lot, shipments, certifications
    assert html.count('<li class="card">') == 2  # drying, then packing
    _assert_light_and_script_free(html)


def test_the_public_page_never_names_a_household(client, chain):
    html = _text(client.get(f"/trace/{chain.packed.code}"))
    for household in chain.households:
        assert household.head_name not in html
        assert household.code not in html
    assert chain.buyer.buyer_organisation.name not in html


def _deliveries(html: str) -> list[str]:
    """The deliveries column of the collections-by-lot table."""
    cells = r'<td class="num"[^>]*>([^<]*)</td>\s*<td[^>]*>[^<]*</td>\s*<td class="num"'
    return re.findall(cells, html)


def test_fewer_than_ten_households_are_not_counted_exactly(client, chain):
    client.get("/language/en")
    html = _text(client.get(f"/trace/{chain.dried.code}"))
    assert html.count("fewer than 10 households") == 3  # the chain, fresh_a, fresh_b
    assert "3 households" not in html
    # nor their deliveries: one delivery would tell one household
    assert _deliveries(html) == ["—", "—"]
    for _ in range(8):
        collect(chain.fresh_b, HouseholdFactory(), "1", JAN)
    db.session.commit()
    html = _text(client.get(f"/trace/{chain.dried.code}"))
    assert "11 households" in html  # the whole chain
    assert html.count("fewer than 10 households") == 2
    assert _deliveries(html) == ["—", "—"]  # fresh_b: 9 households
    collect(chain.fresh_b, HouseholdFactory(), "1", JAN)
    collect(chain.fresh_b, chain.households[2], "1", FEB)
    db.session.commit()
    html = _text(client.get(f"/trace/{chain.dried.code}"))
    assert "12 households" in html
    assert html.count("fewer than 10 households") == 1  # fresh_a
    assert '<td data-label="Growers">10 households</td>' in html  # fresh_b
    assert _deliveries(html) == ["—", "11"]


def test_processing_steps_show_dates_and_yields(client, chain):
    client.get("/language/en")
    html = _text(client.get(f"/trace/{chain.packed.code}"))
    assert "Drying" in html and "Packing" in html
    assert "30%" in html  # 60 kg fresh -> 18 kg dried
    assert "100%" in html


def test_a_collected_lot_without_processing_has_empty_states(client, chain):
    client.get("/language/en")
    fresh = lot(chain.cooperative, "PT-BA-KICH-TUOI", "0", "0")
    db.session.commit()
    html = _text(client.get(f"/trace/{fresh.code}"))
    assert "This lot was not processed" in html
    assert "Nothing from this lot has been shipped yet." in html
    assert "Nothing has been collected" in html


@pytest.mark.parametrize("status", [CooperativeStatus.PENDING, CooperativeStatus.SUSPENDED])
def test_unknown_codes_and_lots_of_cooperatives_not_approved_are_404(client, chain, status):
    assert client.get("/trace/NO-SUCH-LOT").status_code == 404
    chain.cooperative.status = status
    db.session.commit()
    assert client.get(f"/trace/{chain.dried.code}").status_code == 404


def test_the_public_page_works_for_every_role(client, chain, login_as):
    for role in ("buyer", "official", "manager", "admin"):
        login_as(role)
        assert client.get(f"/trace/{chain.dried.code}").status_code == 200, role


# --- manager's trace /manage/<cooperative>/lots/<lot>/trace -------------------------------------


def _trace_url(chain, lot_):
    return f"/manage/{chain.cooperative.id}/lots/{lot_.id}/trace"


def test_the_manager_sees_households_named_and_the_read_is_audited(client, chain, login_as):
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    db.session.commit()
    before = db.session.query(AuditEntry).count()
    response = client.get(_trace_url(chain, chain.packed))
    assert response.status_code == 200
    html = _text(response)
    for household in chain.households:
        assert household.head_name in html
        assert household.code in html
    assert chain.buyer.buyer_organisation.name in html
    assert f'href="/manage/{chain.cooperative.id}/lots/{chain.dried.id}/trace"' in html
    assert f'href="/trace/{chain.packed.code}"' in html
    # the managers' export, and the public one
    assert f'href="/manage/{chain.cooperative.id}/lots/{chain.packed.id}/epcis"' in html
    assert f'href="/api/v1/lots/{chain.packed.id}/epcis"' in html
    assert _deliveries(html) == ["2", "1"]
    _assert_light_and_script_free(html)
    assert db.session.query(AuditEntry).count() == before + 1


def test_the_manager_trace_pages_long_collection_lists(client, chain, login_as):
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    big = lot(chain.cooperative, "PT-BA-KICH-TUOI", "150", "0")
    household = chain.households[0]
    for _ in range(150):
        collect(big, household, "1", JAN)
    made = lot(chain.cooperative, "PT-BA-KICH-KHO", "50", "50", origin=LotOrigin.TRANSFORMATION)
    transform([(big, "150")], made, "50", FEB)
    db.session.commit()
    first = _text(client.get(_trace_url(chain, made)))
    assert first.count(household.head_name) == 100
    assert "?page=2" in first
    second = _text(client.get(_trace_url(chain, made) + "?page=2"))
    assert second.count(household.head_name) == 50
    assert client.get(_trace_url(chain, made) + "?page=99").status_code == 200


def test_the_manager_trace_is_404_for_other_cooperatives(client, chain, login_as):
    login_as("manager")  # manages another cooperative
    assert client.get(_trace_url(chain, chain.dried)).status_code == 404
    other = build_chain()
    db.session.commit()
    url = f"/manage/{other.cooperative.id}/lots/{chain.dried.id}/trace"
    assert client.get(url).status_code == 404


def test_the_manager_trace_of_a_lot_of_another_cooperative_is_404(client, chain, login_as):
    manager = login_as("manager")
    own = manager.cooperatives[0]
    db.session.commit()
    assert client.get(f"/manage/{own.id}/lots/{chain.dried.id}/trace").status_code == 404
    assert client.get(f"/manage/{own.id}/lots/424242/trace").status_code == 404


def test_the_manager_trace_access_by_role(client, chain, login_as):
    url = _trace_url(chain, chain.dried)
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("buyer")
    assert client.get(url).status_code == 403
    login_as("official")
    assert client.get(url).status_code == 403
    login_as("admin")
    assert client.get(url).status_code == 200


# --- managers' EPCIS export /manage/<cooperative>/lots/<lot>/epcis ----------------------------


def test_the_manager_downloads_the_epcis_with_pseudonyms(client, chain, login_as):
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    db.session.commit()
    before = db.session.query(AuditEntry).count()
    response = client.get(f"/manage/{chain.cooperative.id}/lots/{chain.packed.id}/epcis")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=epcis-{chain.packed.code}.jsonld"
    )
    assert response.cache_control.private and response.cache_control.no_store
    assert {"Cookie", "Authorization"} <= set(response.vary)
    document = json.loads(_text(response))
    assert_valid(_validator(), document)
    secret = client.application.config["SECRET_KEY"]
    assert collection_parties(document) == {
        f"http://localhost/id/party/{traces.party_id(secret, chain.packed.id, h.id)}"
        for h in chain.households
    }
    assert_no_household(document, chain.households)
    assert db.session.query(AuditEntry).count() == before + 1


def test_the_managers_epcis_access(client, chain, login_as):
    url = f"/manage/{chain.cooperative.id}/lots/{chain.dried.id}/epcis"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("buyer")
    assert client.get(url).status_code == 403
    login_as("official")
    assert client.get(url).status_code == 403
    login_as("manager")  # of another cooperative
    assert client.get(url).status_code == 404
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    db.session.commit()
    assert client.get(url).status_code == 200
    other = lot(UserFactory(role="manager").cooperatives[0], "PT-BA-KICH-TUOI", "0", "0")
    db.session.commit()
    assert client.get(f"/manage/{chain.cooperative.id}/lots/{other.id}/epcis").status_code == 404
    chain.cooperative.status = CooperativeStatus.SUSPENDED
    db.session.commit()
    assert client.get(url).status_code == 404
    login_as("admin")
    assert client.get(url).status_code == 404


# --- mass balance /manage/<cooperative>/mass-balance -------------------------------------------


def test_the_mass_balance_page(client, chain, login_as):
    manager = login_as("manager")
    manager.cooperatives.append(chain.cooperative)
    client.get("/language/en")
    over = lot(chain.cooperative, "PT-BA-KICH-KHO", "5", "1")
    collect(over, chain.households[0], "4", JAN)
    magic = lot(chain.cooperative, "PT-BA-KICH-KHO", "9", "9", origin=LotOrigin.TRANSFORMATION)
    transform([(over, "3")], magic, "9", FEB)
    db.session.commit()
    url = f"/manage/{chain.cooperative.id}/mass-balance"
    html = _text(client.get(url))
    assert chain.dried.code in html and over.code in html
    assert "Recorded quantity in differs" in html
    assert "Balanced" in html
    assert "300%" in html  # 3 kg dried into 9 kg: impossible
    _assert_light_and_script_free(html)
    flagged = _text(client.get(url + "?flagged=1"))
    assert over.code in flagged
    assert chain.dried.code not in flagged


def test_the_mass_balance_page_empty_state(client, login_as):
    manager = login_as("manager")
    client.get("/language/en")
    html = _text(client.get(f"/manage/{manager.cooperatives[0].id}/mass-balance"))
    assert "No lots yet" in html
    assert "No processing recorded yet" in html


def test_the_mass_balance_page_access(client, chain, login_as):
    url = f"/manage/{chain.cooperative.id}/mass-balance"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("buyer")
    assert client.get(url).status_code == 403
    login_as("manager")
    assert client.get(url).status_code == 404
    login_as("admin")
    assert client.get(url).status_code == 200
