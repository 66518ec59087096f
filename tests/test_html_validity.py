"""HTML validity of the forms (issue 15): month inputs without `placeholder`/`pattern`, required
selects that start with an empty option. The crawl of the demo (tests/test_links.py) checks
every page of every role with tests/html_checks.py; here the checker and the widget."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice
from wtforms.validators import DataRequired

from blueprints.forms import ChoiceField, FlaskForm, select_field

from .html_checks import page_faults

ICON = '<link rel="icon" href="/favicon.ico">'


def test_the_checker_finds_each_fault():
    html = (
        ICON
        + """
    <input type="month" name="a" placeholder="YYYY-MM">
    <input type="month" name="b" pattern="\\d{4}-\\d{2}">
    <input type="text" name="c" placeholder="fine" pattern="[a-z]+">
    <select name="d" required><option value="x">X</option></select>
    <select name="e" required><option>Text as value</option></select>
    <select name="f" required><optgroup label="G"><option value="">-</option></optgroup></select>
    <select name="g" required></select>
    <select name="ok1" required><option value="">Pick</option><option value="x">X</option></select>
    <select name="ok2" required><option></option><option value="x">X</option></select>
    <select name="ok3"><option value="x">not required</option></select>
    <select name="ok4" required multiple><option value="x">X</option></select>
    <select name="ok5" required size="4"><option value="x">X</option></select>
    """
    )
    assert page_faults(html) == [
        "input type=month 'a' has placeholder",
        "input type=month 'b' has pattern",
        "required select 'd' starts with the option value='x', not an empty option",
        "required select 'e' starts with the option 'Text as value', not an empty option",
        "required select 'f' starts with an option group, not an empty option",
        "required select 'g' has no option, not an empty option",
    ]
    assert page_faults("<p>no icon</p>") == ['no <link rel="icon">']


class ExampleForm(FlaskForm):
    class Meta:
        csrf = False

    kind = select_field(
        _l("Kind"),
        _l("Choose the example kind."),
        choices=[SelectChoice("a", "A"), SelectChoice("b", "B")],
    )
    lot = select_field(
        _l("Lot"),
        _l("Choose an example lot."),
        choices=[SelectChoice("", "Choose a lot"), SelectChoice("1", "L1")],
    )
    status = ChoiceField(_l("Status"), validators=[DataRequired(_l("Choose an example status."))])
    region = ChoiceField(_l("Region"), default="")


def test_a_required_select_starts_with_one_empty_option(app):
    with app.test_request_context():
        form = ExampleForm(formdata=None)
        form.status.choices = [SelectChoice("poor", "Poor"), SelectChoice("near", "Near poor")]
        form.region.choices = [SelectChoice("", "All"), SelectChoice("north", "North")]
        kind, lot, status = str(form.kind()), str(form.lot()), str(form.status())
        region = str(form.region())
    assert kind.startswith('<select id="kind" name="kind" required><option value="">')
    assert kind.count('value=""') == 1 and 'value="a"' in kind
    assert lot.count('value=""') == 1 and "Choose a lot" in lot  # its own empty option
    assert status.count('value=""') == 1
    assert "required" not in region and region.count('value=""') == 1  # a filter: unchanged
    assert page_faults(ICON + kind + lot + status + region) == []


def test_a_chosen_value_stays_selected_after_the_empty_option(app):
    with app.test_request_context():
        form = ExampleForm(formdata=None, kind="b")
        html = str(form.kind())
    assert '<option selected value="b">' in html
    assert '<option value="">' in html and "selected" not in html.split('value="a"')[0]


def test_the_empty_option_sent_gets_the_fields_own_message(app):
    with app.test_request_context(method="POST", data={"kind": "", "lot": "", "status": ""}):
        form = ExampleForm()
        form.status.choices = [SelectChoice("poor", "Poor")]
        form.region.choices = [SelectChoice("", "All")]
        assert not form.validate()
        errors = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    assert errors == {
        "kind": ["Choose the example kind."],
        "lot": ["Choose an example lot."],
        "status": ["Choose an example status."],
    }


def test_the_period_fields_are_valid_month_inputs(client):
    html = client.get("/impact").get_data(as_text=True)
    assert 'type="month"' in html
    assert page_faults(html) == []
