"""Admin pages: the audit log, filtered and paginated, and its CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import DateField, Form, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from blueprints.admin import bp
from blueprints.common import page_of
from linkage.exports import csv_response
from linkage.extensions import db
from linkage.labels import AUDIT_ACTION_LABELS as ACTION_LABELS
from linkage.security import allow
from linkage.services import audit
from linkage.services.periods import VIETNAM
from linkage.tables import Column, Table
from models import AuditAction, AuditEntry, Role

PER_PAGE = 50

COLUMNS = (
    Column("occurred_at", _l("Time (UTC+7)")),
    Column("actor", _l("Who")),
    Column("action", _l("Action")),
    Column("entity_type", _l("Record type")),
    Column("entity_id", _l("Record")),
    Column("remote_addr", _l("Network address")),
    Column("reason", _l("Reason")),
    Column("old_values", _l("Old values")),
    Column("new_values", _l("New values")),
)


def _text(label: Any) -> StringField:
    return StringField(
        label, validators=[Optional(), Length(max=254, message=_l("At most 254 characters."))]
    )


class AuditFilterForm(Form):
    """The log's filters, read from the query string (a GET form: no CSRF token)."""

    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("", _l("All")),
            *(SelectChoice(action.value, label) for action, label in ACTION_LABELS.items()),
        ],
        default="",
    )
    actor = _text(_l("Who (part of the email)"))
    entity_type = _text(_l("Record type"))
    entity_id = _text(_l("Record"))
    address = _text(_l("Network address"))
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

    def query_arguments(self) -> dict[str, Any]:
        """The service's filters; days are whole days of Vietnam time."""
        return {
            "action": AuditAction(self.action.data) if self.action.data else None,
            "actor": self.actor.data,
            "entity_type": self.entity_type.data,
            "entity_id": self.entity_id.data,
            "address": self.address.data,
            "since": datetime.combine(self.since.data, time(), VIETNAM)
            if self.since.data
            else None,
            "before": datetime.combine(self.until.data + timedelta(days=1), time(), VIETNAM)
            if self.until.data
            else None,
        }


def _form() -> tuple[AuditFilterForm, dict[str, Any]]:
    form = AuditFilterForm(request.args)
    arguments = form.query_arguments() if form.validate() else {}
    return form, arguments


@bp.route("/audit", endpoint="audit")
@allow(Role.ADMIN)
def audit_log() -> str | tuple[str, int]:
    form, arguments = _form()
    page = page_of(audit.entries_query(**arguments), PER_PAGE)
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        values_text=_values,
    ), (200 if not form.errors else 422)


def _values(values: dict[str, Any] | None) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True) if values else ""


def _rows(entries: Iterator[AuditEntry]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        yield {
            "occurred_at": entry.occurred_at.astimezone(VIETNAM).isoformat(timespec="seconds"),
            "actor": entry.actor.email if entry.actor is not None else "",
            "action": str(ACTION_LABELS.get(entry.action, entry.action)),
            "entity_type": entry.entity_type,
            "entity_id": entry.entity_id or "",
            "remote_addr": entry.remote_addr or "",
            "reason": entry.reason or "",
            "old_values": _values(entry.old_values),
            "new_values": _values(entry.new_values),
        }


@bp.route("/audit.csv", endpoint="audit_csv")
@allow(Role.ADMIN)
def audit_csv() -> Response | tuple[str, int]:
    form, arguments = _form()
    if form.errors:
        return audit_log()
    audit.record(
        current_user,
        AuditAction.EXPORT,
        "audit_entries",
        None,
        new={k: str(v) for k, v in arguments.items() if v},
    )
    db.session.commit()
    entries = db.session.scalars(audit.entries_query(**arguments).execution_options(yield_per=500))
    table = Table(slug="audit", title=_l("Audit log"), columns=COLUMNS, rows=_rows(iter(entries)))
    meta: list[tuple[Any, str]] = list(_filters_meta(form))
    meta.append((_l("Generated at"), datetime.now(VIETNAM).strftime("%Y-%m-%d %H:%M (UTC+7)")))
    filename = f"linkage-audit-{datetime.now(VIETNAM):%Y%m%d-%H%M}.csv"
    return csv_response(table, meta, filename)


def _filters_meta(form: AuditFilterForm) -> Iterator[tuple[str, str]]:
    """The filters set, one row each, written at the top of the file."""
    for field in form:
        if field.data:
            value = ACTION_LABELS[AuditAction(field.data)] if field.name == "action" else field.data
            yield field.label.text, str(value)
