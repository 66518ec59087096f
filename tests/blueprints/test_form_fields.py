"""The shared form fields: texts of a bounded length and selects that must be chosen in."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from blueprints.forms import select_field, text_field
from linkage.labels import PROCESS_LABELS
from models import Process


class NoteForm(FlaskForm):
    class Meta:
        csrf = False

    name = text_field("Name", max_length=5, required="Enter the name.")
    note = text_field("Note", max_length=8, field=TextAreaField)
    step = select_field("Step", "Choose the step.", labels=PROCESS_LABELS)


def submit(app, **data: str) -> NoteForm:
    with app.test_request_context(method="POST", data=data), force_locale("en"):
        form = NoteForm()
        form.validate()
        form.messages = {name: [str(m) for m in errors] for name, errors in form.errors.items()}
        return form


def test_a_valid_form_keeps_what_was_typed(app):
    form = submit(app, name="Lan", note="", step="drying")
    assert form.messages == {}
    assert (form.name.data, form.note.data, form.step.data) == ("Lan", "", "drying")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"step": "drying"}, {"name": ["Enter the name."]}),
        (
            {"name": "Phương", "step": "drying"},
            {"name": ["This text is too long. Use at most 5 characters."]},
        ),
        (
            {"name": "Lan", "note": "x" * 9, "step": "drying"},
            {"note": ["This text is too long. Use at most 8 characters."]},
        ),
        ({"name": "Lan"}, {"step": ["Choose the step."]}),
        ({"name": "Lan", "step": "roasting"}, {"step": ["Not a valid choice."]}),
    ],
)
def test_a_wrong_value_is_explained(app, data, errors):
    assert submit(app, **data).messages == errors


def test_the_options_are_the_enumeration_with_its_labels(app):
    with app.test_request_context(), force_locale("en"):
        form = NoteForm(formdata=None)
        options = [(value, str(label)) for value, label, *_rest in form.step.iter_choices()]
        assert options == [(p.value, str(PROCESS_LABELS[p])) for p in Process]
    assert options[0] == ("drying", "Drying")
    assert form.name.flags.required and not form.note.flags.required
