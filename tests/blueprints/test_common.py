"""The page toolkit: a service call committed, or its refusal shown on the form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from blueprints.common import commit_or_refuse, form_status, show_refusal
from linkage.extensions import db
from linkage.services.errors import Conflict, Invalid, NotFound
from models import Cooperative
from tests.factories import CooperativeFactory


class NameForm(FlaskForm):
    name = StringField()
    paid_on = StringField()


@pytest.fixture
def form(app) -> Iterator[NameForm]:
    with app.test_request_context(method="POST", data={"name": "HTX"}):
        form = NameForm()
        assert form.validate()
        yield form


def cooperatives() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Cooperative))


def refuse(error: Exception):
    """An action that writes a cooperative, then is refused."""

    def action() -> None:
        CooperativeFactory()
        raise error

    return action


def test_done_commits_flashes_and_returns_the_result(form):
    created = commit_or_refuse(form, CooperativeFactory, "Saved.")
    assert isinstance(created, Cooperative)
    db.session.rollback()  # what was committed stays
    assert cooperatives() == 1
    assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    assert form_status(form) == 200


def test_the_message_may_be_made_from_the_result(form):
    created = commit_or_refuse(form, CooperativeFactory, lambda done: f"{done.name} saved.")
    assert get_flashed_messages() == [f"{created.name} saved."]


def test_an_action_that_returns_nothing_gives_true(form):
    assert commit_or_refuse(form, lambda: None) is True
    assert get_flashed_messages() == []


def test_a_refusal_is_rolled_back_and_shown_next_to_its_field(form):
    error = Invalid("Tên đã có.", field="name")
    assert commit_or_refuse(form, refuse(error), "Saved.") is None
    assert cooperatives() == 0
    assert form.errors == {"name": ["Tên đã có."]}
    assert form.refusal is error
    assert form_status(form) == 422
    assert get_flashed_messages() == []


def test_a_service_field_is_mapped_to_the_form_field(form):
    error = Invalid("Ngày trả ở tương lai.", field="paid_at")
    assert commit_or_refuse(form, refuse(error), fields={"paid_at": "paid_on"}) is None
    assert form.errors == {"paid_on": ["Ngày trả ở tương lai."]}


@pytest.mark.parametrize("field", [None, "nowhere_on_this_form"])
def test_a_refusal_without_a_field_of_the_form_goes_above_the_page(form, field):
    error = Conflict("Có người đã sửa trước.", field=field)
    assert commit_or_refuse(form, refuse(error), "Saved.") is None
    assert cooperatives() == 0
    assert form.errors == {}
    assert form.refusal.status == 409  # the page may answer with it
    assert get_flashed_messages(with_categories=True) == [("error", "Có người đã sửa trước.")]


def test_without_a_form_the_refusal_is_flashed(app):
    with app.test_request_context(method="POST"):
        assert commit_or_refuse(None, refuse(Invalid("Không được.", field="name"))) is None
        assert get_flashed_messages(with_categories=True) == [("error", "Không được.")]
    assert cooperatives() == 0


def test_out_of_scope_stays_a_404(form):
    with pytest.raises(NotFound):
        commit_or_refuse(form, refuse(NotFound("Không tìm thấy.")), "Saved.")
    assert get_flashed_messages() == []


def test_a_404_about_a_value_of_the_form_is_shown_on_it(form):
    show_refusal(form, NotFound("Không tìm thấy hộ này.", field="name"))
    assert form.errors == {"name": ["Không tìm thấy hộ này."]}
