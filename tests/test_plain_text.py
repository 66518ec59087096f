"""Control characters are refused with a field error on every text input: one rule
(linkage.plain_text), applied by the forms' base class, the API schemas' base class and the
URL converter of text path pieces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask_wtf
import marshmallow
import pytest
from flask import Flask, session
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField

from blueprints.forms import FlaskForm, PlainText
from linkage.extensions import ProblemSchema, db
from linkage.plain_text import ACCEPTED_PATTERN, has_control_characters
from linkage.schemas.base import Schema
from models import BuyerOrganisation, Order, User

from .blueprints.test_buyer import NEW_BUYER
from .factories import CooperativeFactory, LotFactory
from .factories_orders import count, make_market

SINGLE_LINE_MESSAGE = "Remove the control characters (such as tabs or line breaks)."
MULTI_LINE_MESSAGE = "Remove the control characters (invisible characters such as NUL)."
API_MESSAGE = "Must not contain control characters"


def subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *subclasses(sub)}
    return found


def project_classes(base: type) -> list[type]:
    return [
        c for c in subclasses(base) if c.__module__.startswith(("blueprints", "linkage.schemas"))
    ]


# --- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "single_line", "multi_line"),
    [
        ("Hợp tác xã Đạo Trù", False, False),
        ("a\x00b", True, True),
        ("\x1f", True, True),
        ("a\x7fb", True, True),
        ("a\x0bb", True, True),
        ("dòng 1\r\ndòng 2\tcột", True, False),
        ("a\u0085b\u200bc", False, False),  # not C0 nor DEL: left to other rules
    ],
)
def test_the_rule(text, single_line, multi_line):
    assert has_control_characters(text) is single_line
    assert has_control_characters(text, multiline=True) is multi_line
    assert (re.fullmatch(ACCEPTED_PATTERN, text) is None) is multi_line  # the OpenAPI pattern


# --- forms ------------------------------------------------------------------------------------


def test_every_form_of_the_pages_derives_from_the_base_form(app):
    forms = project_classes(flask_wtf.FlaskForm)
    assert len(forms) > 20
    strays = [f"{c.__module__}.{c.__qualname__}" for c in forms if not issubclass(c, FlaskForm)]
    assert strays == []


@contextmanager
def english_post(app: Flask) -> Iterator[None]:
    """A POST request context whose page is in English."""
    with app.test_request_context("/", method="POST"):
        session["locale"] = "en"
        yield


def _text_fields(form: Any) -> list[Any]:
    return [f for f in form if isinstance(f, StringField) and f.name != "csrf_token"]


def _buildable_forms() -> list[type]:
    """Every form whose constructor takes no arguments (a few need a cooperative or order)."""
    return sorted(
        (c for c in project_classes(flask_wtf.FlaskForm) if c is not FlaskForm),
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def test_every_text_field_of_every_form_refuses_nul(app):
    checked = 0
    with english_post(app):
        for form_class in _buildable_forms():
            try:
                blank = form_class(formdata=None, meta={"csrf": False})
            except TypeError:
                continue  # needs arguments: covered by the page tests
            names = [f.name for f in _text_fields(blank)]
            if not names:
                continue
            form = form_class(
                formdata=MultiDict({name: "x\x00" for name in names}), meta={"csrf": False}
            )
            for field in _text_fields(form):
                field.validate(form)  # the field alone: other fields may need choices first
                if field.process_errors:
                    continue  # a number field refused it as a number already
                expected = (
                    MULTI_LINE_MESSAGE if isinstance(field, TextAreaField) else SINGLE_LINE_MESSAGE
                )
                assert expected in field.errors, (form_class, field.name, field.errors)
                checked += 1
    assert checked > 40


def test_the_rule_runs_before_optional(app):
    """`Optional()` counts \\x1c-\\x1f as spaces: they must not pass as an empty field."""
    from wtforms.validators import Optional

    class Form(FlaskForm):
        name = StringField(validators=[Optional()])

    with english_post(app):
        form = Form(formdata=MultiDict({"name": "\x1f"}), meta={"csrf": False})
        assert not form.validate()
        assert form.name.errors == [SINGLE_LINE_MESSAGE]
        assert isinstance(form.name.validators[0], PlainText)


@pytest.fixture(autouse=True)
def english(client):
    client.get("/language/en")


@pytest.mark.parametrize(
    "changes",
    [
        {"organisation_name": "Công ty\x00 Dược"},
        {"contact_name": "Hà\x1f"},
        {"tax_code": "\x1f"},  # an optional field made of a "space" control character
        {"phone": "0912\r\n345"},
    ],
)
def test_registration_refuses_control_characters(client, changes):
    before = (count(User), count(BuyerOrganisation))
    response = client.post("/register", data={**NEW_BUYER, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert SINGLE_LINE_MESSAGE in page
    assert 'class="error-summary"' in page
    assert (count(User), count(BuyerOrganisation)) == before


@pytest.fixture
def market(make_user):
    return make_market(make_user)


def test_an_order_note_keeps_line_breaks_and_refuses_nul(client, login_as, market):
    login_as(user=market.buyer)
    url = f"/listings/{market.listing.id}/order"
    refused = client.post(url, data={"quantity": "5", "note": "Giao\x00 Hà Nội"})
    assert refused.status_code == 422
    assert MULTI_LINE_MESSAGE in refused.get_data(as_text=True)
    assert count(Order) == 0
    placed = client.post(url, data={"quantity": "5", "note": "Giao Hà Nội\r\nTrước 10 giờ"})
    assert placed.status_code == 302
    assert db.session.scalars(db.select(Order)).one().note == "Giao Hà Nội\r\nTrước 10 giờ"


def test_a_search_with_control_characters_is_explained(client):
    response = client.get("/catalog", query_string={"q": "ba\x00kich"})
    assert response.status_code == 422
    assert SINGLE_LINE_MESSAGE in response.get_data(as_text=True)


# --- API schemas ------------------------------------------------------------------------------


def test_every_api_schema_derives_from_the_base_schema(app):
    # problem answers (linkage.extensions.ProblemSchema and its kinds) are never read
    schemas = [c for c in project_classes(marshmallow.Schema) if not issubclass(c, ProblemSchema)]
    assert len(schemas) > 40
    strays = [f"{c.__module__}.{c.__qualname__}" for c in schemas if not issubclass(c, Schema)]
    assert strays == []


def test_strings_inside_lists_and_dicts_are_checked_too():
    class Tags(Schema):
        tags = marshmallow.fields.List(marshmallow.fields.String())
        labels = marshmallow.fields.Dict(
            keys=marshmallow.fields.String(), values=marshmallow.fields.String()
        )

    errors = Tags().validate({"tags": ["ok", "n\x00"], "labels": {"k\x00": "v", "k": "v\x01"}})
    assert API_MESSAGE in str(errors["tags"][1])
    assert API_MESSAGE in str(errors["labels"])
    assert Tags().validate({"tags": ["a\nb"], "labels": {"k": "v\tw"}}) == {}


def test_an_api_note_keeps_line_breaks_and_refuses_nul(client, market, bearer):
    headers = bearer(market.buyer)

    def place(note: str) -> Any:
        body = {"lines": [{"listing_id": market.listing.id, "quantity": "5"}], "note": note}
        return client.post("/api/v1/orders", json=body, headers=headers)

    refused = place("Giao\x00")
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert API_MESSAGE in refused.json["errors"]["note"][0]
    assert count(Order) == 0
    placed = place("Giao Hà Nội\nTrước 10 giờ")
    assert placed.status_code == 201, placed.json
    assert placed.json["note"] == "Giao Hà Nội\nTrước 10 giờ"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/listings", {"q": "ba\x00 kich"}, "q"),
        ("/api/v1/communes", {"q": "Đạo\x1b"}, "q"),
    ],
)
def test_query_arguments_with_control_characters_are_refused(client, path, query, field):
    response = client.get(path, query_string=query)
    assert response.status_code == 422
    assert API_MESSAGE in response.json["errors"][field][0]


def test_the_openapi_document_describes_the_rule(client):
    spec = client.get("/api/v1/openapi.json").json
    note = spec["components"]["schemas"]["OrderRequest"]["properties"]["note"]
    assert note["pattern"] == ACCEPTED_PATTERN
    parameters = spec["paths"]["/api/v1/listings"]["get"]["parameters"]
    (q,) = [p for p in parameters if p["name"] == "q"]
    assert q["schema"]["pattern"] == ACCEPTED_PATTERN
    # a field with a stricter pattern of its own keeps it
    (product,) = [p for p in parameters if p["name"] == "product"]
    assert product["schema"]["pattern"] == r"^[A-Za-z0-9_.-]{1,40}$"


# --- URL path pieces --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["DT%00", "DT%0A1", "DT%7F", "%1F"])
def test_a_path_piece_with_a_control_character_matches_no_route(client, code):
    response = client.get(f"/trace/{code}")
    assert response.status_code == 404


def test_plain_path_pieces_still_match(client):
    lot = LotFactory(cooperative=CooperativeFactory())
    db.session.commit()
    assert client.get(f"/trace/{lot.code}").status_code == 200
    assert client.get("/language/en").status_code == 302
    assert client.get("/language/e%00").status_code == 404
