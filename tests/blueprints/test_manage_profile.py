"""Cooperative profile, certificates and registering a new cooperative; access route by route."""

from __future__ import annotations

from datetime import date

import pytest

from linkage.extensions import db
from models import AuditEntry, Certification, Cooperative, CooperativeStatus, Listing

from ..factories import DAO_TRU
from ..factories_listings import CertificationFactory, ListingFactory, product


@pytest.fixture(autouse=True)
def _english(client):
    """Pages are checked in English (Vietnamese is the default language)."""
    with client.session_transaction() as session:
        session["locale"] = "en"


PROFILE = {
    "description": "Trồng ba kích tím dưới tán rừng Tam Đảo.",
    "address": "Thôn Đồng Bùa, xã Đạo Trù",
    "contact_name": "Triệu Thị Mai",
    "contact_phone": "0912 345 678",
    "contact_email": "htx.daotru@example.vn",
}
CERTIFICATE = {
    "kind": "gacp_who",
    "number": "GACP-YDCT-2024-017",
    "issuer": "Cục Quản lý Y, Dược cổ truyền",
    "product_id": "",
    "valid_from": "2024-03-15",
    "valid_to": "2027-03-14",
}
NEW_COOPERATIVE = {
    "name": "HTX Dược liệu Tam Đảo Xanh",
    "registration_no": "2501-0099",
    "commune_code": DAO_TRU,
    "description": "Trà hoa vàng.",
    "contact_phone": "+84 912 345 678",
}


def _audits(entity: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.entity_type == entity).order_by(AuditEntry.id)
        )
    )


@pytest.fixture
def manager(login_as):
    return login_as("manager")


@pytest.fixture
def cooperative(manager):
    return manager.cooperatives[0]


def test_profile_saves_and_audits(client, manager, cooperative):
    url = f"/manage/{cooperative.id}/profile"
    assert cooperative.registration_no in client.get(url).get_data(as_text=True)
    response = client.post(url, data=PROFILE)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Cooperative, cooperative.id)
    assert saved.contact_phone == "0912 345 678"
    assert saved.address == PROFILE["address"]
    entry = _audits("cooperative")[-1]
    assert entry.actor_id == manager.id
    assert entry.new_values["contact_email"] == "htx.daotru@example.vn"
    assert entry.old_values["contact_email"] is None


@pytest.mark.parametrize(
    "phone", ["0912 345 678", "0218.3800.111", "+84 912 345 678", "(0218) 3800 111"]
)
def test_vietnamese_phone_numbers_are_accepted(client, cooperative, phone):
    response = client.post(
        f"/manage/{cooperative.id}/profile", data={**PROFILE, "contact_phone": phone}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "0912 345 678 999"}, "contact_phone"),
        ({"contact_phone": "+1 202 555 0100"}, "contact_phone"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"address": "x" * 301}, "address"),
        ({"description": "nul\x00"}, "description"),
    ],
)
def test_bad_profile_input_writes_nothing(client, cooperative, change, field):
    response = client.post(f"/manage/{cooperative.id}/profile", data={**PROFILE, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert "error-summary" in page
    db.session.expire_all()
    assert db.session.get(Cooperative, cooperative.id).address is None
    assert _audits("cooperative") == []


def test_add_edit_and_delete_a_certificate(client, manager, cooperative):
    response = client.post(
        f"/manage/{cooperative.id}/certifications/new",
        data={**CERTIFICATE, "product_id": str(product("PT-BA-KICH-TUOI").id)},
    )
    assert response.status_code == 302
    certificate = db.session.scalars(db.select(Certification)).one()
    assert (certificate.kind, certificate.valid_to) == ("gacp_who", date(2027, 3, 14))
    assert certificate.product.code == "PT-BA-KICH-TUOI"
    page = client.get(f"/manage/{cooperative.id}/profile").get_data(as_text=True)
    assert "GACP-YDCT-2024-017" in page

    edit = f"/manage/{cooperative.id}/certifications/{certificate.id}/edit"
    assert "GACP-YDCT-2024-017" in client.get(edit).get_data(as_text=True)
    response = client.post(edit, data={**CERTIFICATE, "kind": "ocop_4", "valid_to": "2028-01-01"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certification, certificate.id).kind == "ocop_4"
    assert db.session.get(Certification, certificate.id).product_id is None

    listing = ListingFactory(cooperative=cooperative, certifications=[certificate])
    db.session.commit()
    response = client.post(f"/manage/{cooperative.id}/certifications/{certificate.id}/delete")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Certification, certificate.id) is None
    assert db.session.get(Listing, listing.id).certifications == []
    actions = [(e.action, e.entity_id) for e in _audits("certification")]
    assert actions == [(a, str(certificate.id)) for a in ("create", "update", "delete")]
    assert _audits("certification")[1].new_values == {
        "kind": "ocop_4",
        "product_id": None,
        "valid_to": "2028-01-01",
    }
    assert all(e.actor_id == manager.id for e in _audits("certification"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "iso_9001"}, "kind"),
        ({"number": ""}, "number"),
        ({"valid_from": ""}, "valid_from"),
        ({"valid_to": "2024-03-14"}, "valid_to"),
        ({"valid_to": "not a date"}, "valid_to"),
        ({"product_id": "999999"}, "product_id"),
        ({"number": "x" * 61}, "number"),
    ],
)
def test_bad_certificate_input_writes_nothing(client, cooperative, change, field):
    response = client.post(
        f"/manage/{cooperative.id}/certifications/new", data={**CERTIFICATE, **change}
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Certification.id))) == 0
    assert _audits("certification") == []


def test_a_manager_registers_a_pending_cooperative(client, manager):
    assert client.get("/manage/cooperatives/new").status_code == 200
    response = client.post("/manage/cooperatives/new", data=NEW_COOPERATIVE)
    assert response.status_code == 303
    created = db.session.scalars(
        db.select(Cooperative).where(Cooperative.registration_no == "2501-0099")
    ).one()
    assert created.status == CooperativeStatus.PENDING
    assert created.contact_phone == "+84 912 345 678"
    assert [m.id for m in created.managers] == [manager.id]
    assert response.headers["Location"].endswith(f"/manage/{created.id}/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "waiting for approval" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"registration_no": ""}, "registration_no"),
        ({"registration_no": "2501\x00"}, "registration_no"),
        ({"name": "HTX\x00"}, "name"),
        ({"commune_code": "99999"}, "commune_code"),
        ({"contact_phone": "123"}, "contact_phone"),
        ({"contact_email": "a@b"}, "contact_email"),
    ],
)
def test_bad_registration_writes_nothing(client, manager, change, field):
    before = db.session.scalar(db.select(db.func.count(Cooperative.id)))
    response = client.post("/manage/cooperatives/new", data={**NEW_COOPERATIVE, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Cooperative.id))) == before


def test_a_duplicate_registration_number_is_shown_on_the_form(client, manager, cooperative):
    response = client.post(
        "/manage/cooperatives/new",
        data={**NEW_COOPERATIVE, "registration_no": cooperative.registration_no},
    )
    assert response.status_code == 422
    assert 'id="registration_no-error"' in response.get_data(as_text=True)


def test_only_managers_and_admins_register_cooperatives(client, login_as):
    anonymous = client.get("/manage/cooperatives/new")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("buyer", "official"):
        login_as(role)
        assert client.post("/manage/cooperatives/new", data=NEW_COOPERATIVE).status_code == 403
    login_as("admin")
    response = client.post("/manage/cooperatives/new", data=NEW_COOPERATIVE)
    assert response.status_code == 303
    created = db.session.scalars(
        db.select(Cooperative).where(Cooperative.registration_no == "2501-0099")
    ).one()
    assert created.status == CooperativeStatus.APPROVED  # registered by an admin


ROUTES = [
    ("GET", "/manage/{c}/profile"),
    ("POST", "/manage/{c}/profile"),
    ("GET", "/manage/{c}/certifications/new"),
    ("POST", "/manage/{c}/certifications/new"),
    ("GET", "/manage/{c}/certifications/{x}/edit"),
    ("POST", "/manage/{c}/certifications/{x}/edit"),
    ("POST", "/manage/{c}/certifications/{x}/delete"),
]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_access_route_by_route(client, make_user, login_as, method, route):
    theirs = make_user("manager").cooperatives[0]
    certificate = CertificationFactory(cooperative=theirs, number="THEIRS-1")
    db.session.commit()
    url = route.format(c=theirs.id, x=certificate.id)
    data = {**PROFILE, **CERTIFICATE, "number": "CHANGED"} if method == "POST" else None

    anonymous = client.open(url, method=method, data=data)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    other = login_as("manager")
    assert client.open(url, method=method, data=data).status_code == 404
    if "{x}" in route:  # B's certificate reached through A's own cooperative
        through_mine = route.format(c=other.cooperatives[0].id, x=certificate.id)
        assert client.open(through_mine, method=method, data=data).status_code == 404
    for role in ("buyer", "official"):
        login_as(role)
        assert client.open(url, method=method, data=data).status_code == 403
    db.session.expire_all()
    assert db.session.get(Certification, certificate.id).number == "THEIRS-1"
    assert db.session.get(Cooperative, theirs.id).contact_email is None
    assert db.session.scalar(db.select(db.func.count(Certification.id))) == 1
    login_as("admin")
    assert client.open(url, method=method, data=data).status_code in (200, 302, 303)
