"""Text is saved with its accents composed (Unicode NFC) and without accents stacked high: the
rule of linkage.plain_text, applied by the forms' base class and the API schemas' base class.

Some Vietnamese keyboards send "Nguyễn" as "Nguye" + circumflex + tilde (form D): it looks the
same, but is stored, searched and sorted as another text unless it is composed on the way in.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import flask_wtf
import pytest
from flask import session
from werkzeug.datastructures import MultiDict
from wtforms import PasswordField, StringField

from blueprints.auth.forms import LoginForm
from linkage.extensions import db
from linkage.plain_text import MAX_STACKED_MARKS, composed, composed_all, has_stacked_marks
from linkage.schemas.accounts import TokenRequestSchema
from linkage.schemas.base import Schema
from models import Listing

from .test_plain_text import project_classes

TITLE = "Ba kích tím Đạo Trù - Nguyễn Thị Hường, loại một"
DESCRIPTION = "Củ ba kích 3 năm tuổi, sấy dưới 60 °C.\r\nĐóng bao 25 kg."
STACKED = "Ba kích" + "\u0301\u0300\u0303\u0309\u0323" * 4  # marks that paint over lines above
FORM_MESSAGE = f"Remove the accent marks stacked on one letter (at most {MAX_STACKED_MARKS}"
API_MESSAGE = f"Must not stack more than {MAX_STACKED_MARKS} combining marks on one character."


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


FORM = {
    "product_code": "PT-BA-KICH-KHO",
    "unit_price_vnd": "350.000",
    "quantity_available": "12,5",
    "min_order_quantity": "1",
}
API_LISTING = {
    "product_code": "PT-BA-KICH-KHO",
    "unit_price_vnd": 350000,
    "quantity_available": "12.5",
    "min_order_quantity": "1",
}


# --- the rule ---------------------------------------------------------------------------------


def test_the_test_texts_are_decomposed():
    assert nfd(TITLE) != TITLE and not is_nfc(nfd(TITLE))
    assert len(nfd(TITLE)) > len(TITLE)


@pytest.mark.parametrize(
    ("text", "stacked"),
    [
        ("Nguyễn Thị Hường", False),
        (nfd("Nguyễn Thị Hường, Ệ, ặ"), False),  # two marks on a letter: Vietnamese
        ("ภาษาไทย น้ำ", False),  # Thai: a vowel and a tone mark over one letter
        ("e\u0302\u0303\u0323", False),  # three marks: still allowed
        ("ệ\u0303\u0309", True),  # e + 4 marks once apart
        (STACKED, True),
        ("a\u0301 \u0301\u0301\u0301", False),  # marks counted per letter, not per text
    ],
)
def test_stacked_marks(text, stacked):
    assert has_stacked_marks(text) is stacked


def test_composed_reaches_strings_inside_lists_and_dicts():
    value = {"a": nfd("Hà"), "b": [nfd("Lò"), 3, {"c": nfd("ẫ")}], "d": None}
    assert composed_all(value) == {"a": "Hà", "b": ["Lò", 3, {"c": "ẫ"}], "d": None}
    assert composed(nfd(TITLE)) == TITLE


# --- forms ------------------------------------------------------------------------------------


def _buildable_forms() -> list[type]:
    return sorted(
        (c for c in project_classes(flask_wtf.FlaskForm) if c.__module__ != "blueprints.forms"),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_every_text_field_of_every_form_composes_what_is_typed(app):
    """Each text field of each form that can be built alone: NFD in, NFC data out; passwords
    keep what was typed."""
    checked = passwords = 0
    typed = nfd("Nguyễn Thị Hường")
    with app.test_request_context("/", method="POST"):
        session["locale"] = "vi"
        for form_class in _buildable_forms():
            try:
                blank = form_class(formdata=None, meta={"csrf": False})
            except TypeError:
                continue  # needs arguments: the page tests cover it
            names = [f.name for f in blank if isinstance(f, StringField) and f.name != "csrf_token"]
            if not names:
                continue
            form = form_class(formdata=MultiDict(dict.fromkeys(names, typed)), meta={"csrf": False})
            for name in names:
                field = form[name]
                if field.process_errors or not isinstance(field.data, str):
                    continue  # a number field refused it, or reads it as something else
                if isinstance(field, PasswordField):
                    assert field.data == typed, (form_class, name)
                    passwords += 1
                else:
                    assert field.data == "Nguyễn Thị Hường", (form_class, name, field.data)
                    checked += 1
    assert checked > 30 and passwords >= 1


def test_a_form_refuses_stacked_accents_but_not_in_a_password(app):
    with app.test_request_context("/", method="POST"):
        session["locale"] = "en"
        form = LoginForm(
            formdata=MultiDict({"email": "a@b.vn", "password": STACKED}), meta={"csrf": False}
        )
        form.validate()
        assert "password" not in form.errors
        assert form.password.data == STACKED  # a secret is compared as typed


@pytest.fixture
def manager(login_as):
    return login_as("manager")


def test_a_listing_typed_decomposed_is_saved_and_shown_composed(client, manager):
    cooperative = manager.cooperatives[0]
    with client.session_transaction() as state:
        state["locale"] = "vi"
    response = client.post(
        f"/manage/{cooperative.id}/listings/new",
        data={**FORM, "title": nfd(TITLE), "description": nfd(DESCRIPTION), "grade": nfd("Loại 1")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    listing = db.session.scalars(db.select(Listing)).one()
    assert (listing.title, listing.description, listing.grade) == (TITLE, DESCRIPTION, "Loại 1")
    assert is_nfc(listing.search_text)
    page = client.get(f"/manage/{cooperative.id}/listings").get_data(as_text=True)
    assert TITLE in page and nfd(TITLE) not in page


def test_a_listing_title_with_stacked_accents_is_refused_and_nothing_saved(client, manager):
    cooperative = manager.cooperatives[0]
    with client.session_transaction() as state:
        state["locale"] = "en"
    response = client.post(
        f"/manage/{cooperative.id}/listings/new", data={**FORM, "title": STACKED}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert FORM_MESSAGE in page and 'class="error-summary"' in page
    assert db.session.scalar(db.select(db.func.count(Listing.id))) == 0


# --- API --------------------------------------------------------------------------------------


def test_the_api_saves_decomposed_text_composed(client, make_user, bearer):
    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    headers = bearer(manager)
    body = {**API_LISTING, "title": nfd(TITLE), "description": nfd(DESCRIPTION)}
    response = client.post(
        f"/api/v1/cooperatives/{cooperative.id}/listings", json=body, headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["title"] == TITLE
    listing = db.session.get(Listing, response.json["id"])
    assert (listing.title, listing.description) == (TITLE, DESCRIPTION)

    changed = client.patch(
        f"/api/v1/listings/{listing.id}", json={"grade": nfd("Loại đặc biệt")}, headers=headers
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["grade"] == "Loại đặc biệt"


def test_the_api_refuses_stacked_accents(client, make_user, bearer):
    manager = make_user("manager")
    response = client.post(
        f"/api/v1/cooperatives/{manager.cooperatives[0].id}/listings",
        json={**API_LISTING, "title": STACKED},
        headers=bearer(manager),
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert API_MESSAGE in response.json["errors"]["title"][0]
    assert db.session.scalar(db.select(db.func.count(Listing.id))) == 0


def test_an_api_password_is_read_as_sent():
    typed = nfd("mật-khẩu-Đạo-Trù")
    data = TokenRequestSchema().load({"email": nfd("hà@linkage.demo"), "password": typed})
    assert data == {"email": "hà@linkage.demo", "password": typed}


def test_nested_and_listed_strings_are_composed():
    from marshmallow import fields

    class Line(Schema):
        note = fields.String()

    class Body(Schema):
        tags = fields.List(fields.String())
        lines = fields.List(fields.Nested(Line))

    loaded: Any = Body().load({"tags": [nfd("Hà Giang")], "lines": [{"note": nfd("Lò Thị Mỷ")}]})
    assert loaded == {"tags": ["Hà Giang"], "lines": [{"note": "Lò Thị Mỷ"}]}
