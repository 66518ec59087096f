"""The audit log's edits: only the fields that changed, old and new, and nothing at all
when an edit changed nothing."""

from __future__ import annotations

from linkage.extensions import db
from linkage.services import audit, profile
from models import AuditAction, AuditEntry


def _entries(entity_type: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).filter_by(entity_type=entity_type)))


def test_an_update_keeps_only_the_changed_fields(make_user):
    actor = make_user("admin")
    old = {"members": 4, "head_name": "Hà Thị Lan", "meritorious": False}
    new = {"members": 5, "head_name": "Hà Thị Lan", "meritorious": True}
    entry = audit.record_update(actor, "household", 7, old, new, reason="census")
    db.session.flush()
    assert entry is not None
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.UPDATE,
        "household",
        "7",
    )
    assert entry.old_values == {"members": 4, "meritorious": False}
    assert entry.new_values == {"members": 5, "meritorious": True}
    assert entry.reason == "census"
    assert entry.actor_id == actor.id


def test_an_update_that_changed_nothing_is_not_recorded(make_user):
    actor = make_user("admin")
    same = {"members": 4, "head_name": "Hà Thị Lan"}
    assert audit.record_update(actor, "household", 7, same, dict(same)) is None
    db.session.flush()
    assert _entries("household") == []


def test_saving_a_profile_unchanged_writes_no_entry(make_user):
    manager = make_user("manager")
    cooperative = manager.cooperatives[0]
    profile.update_profile(manager, cooperative, {"address": "Thôn Trung, xã Hạ Hòa"})
    db.session.flush()
    assert len(_entries("cooperative")) == 1
    profile.update_profile(manager, cooperative, {"address": "  Thôn Trung, xã Hạ Hòa "})
    db.session.flush()
    assert len(_entries("cooperative")) == 1
