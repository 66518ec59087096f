"""The audit log keeps the caller's address: set once per request by the web layer, read by
the audit service (which imports no Flask), and gone once the request ends."""

from __future__ import annotations

from linkage.extensions import db
from linkage.services import audit
from models import AuditAction, AuditEntry

from ..factories_households import csv_file, csv_rows, household_data

ADDRESS = "203.0.113.7"


def _addresses() -> set[str | None]:
    return set(db.session.scalars(db.select(AuditEntry.remote_addr)))


def _url(cooperative, suffix=""):
    return f"/api/v1/cooperatives/{cooperative.id}/households{suffix}"


def test_an_audited_write_keeps_the_callers_address(client, bearer, make_user):
    manager = make_user("manager")
    headers = bearer(manager)
    db.session.execute(db.delete(AuditEntry))  # the token's own entries
    db.session.commit()
    response = client.post(
        _url(manager.cooperatives[0]),
        json=household_data(),
        headers=headers,
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 201, response.json
    assert _addresses() == {ADDRESS}
    assert audit.current_address() is None  # cleared when the request ended


def test_an_import_writes_the_callers_address_on_every_entry(client, bearer, make_user):
    manager = make_user("manager")
    headers = bearer(manager)
    db.session.execute(db.delete(AuditEntry))
    db.session.commit()
    response = client.post(
        _url(manager.cooperatives[0], "/import"),
        data=csv_file(csv_rows(3)),
        headers={**headers, "Content-Type": "text/csv; charset=utf-8"},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert response.status_code == 201, response.json
    entries = db.session.scalars(db.select(AuditEntry)).all()
    assert len(entries) >= 3
    assert _addresses() == {ADDRESS}


def test_outside_a_request_no_address_is_written(app, make_user):
    manager = make_user("manager")
    entry = audit.record(manager, AuditAction.CREATE, "test")
    assert entry.remote_addr is None
