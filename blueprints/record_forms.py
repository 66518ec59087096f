"""Forms shared by the pages that correct or void a record (a delivery, a payment, a support):
the reason, kept with the record, and the void form with its confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import InputRequired, Length

from blueprints.forms import FlaskForm
from linkage.services.valuechain.corrections import MAX_REASON, MIN_REASON


def reason_field() -> TextAreaField:
    return TextAreaField(
        _l("Why (kept with the record)"),
        validators=[
            InputRequired(message=_l("Say why the record changes.")),
            Length(
                min=MIN_REASON,
                max=MAX_REASON,
                message=_l("Say why in 5 to 1,000 characters."),
            ),
        ],
    )


class VoidForm(FlaskForm):
    reason = reason_field()
    confirm = BooleanField(
        _l("Yes, void this record: it will count in no total or figure"),
        validators=[InputRequired(message=_l("Tick the box to confirm."))],
    )
