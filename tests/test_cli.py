"""Command-line maintenance: purging old idempotency keys, creating users."""

from __future__ import annotations

from datetime import timedelta

from linkage.extensions import db
from models import IdempotencyKey, User, utcnow


def test_old_idempotency_keys_are_purged(runner, make_user):
    buyer = make_user("buyer")
    for key, age in (("old", 31), ("recent", 1)):
        db.session.add(
            IdempotencyKey(
                user_id=buyer.id,
                key=key,
                request_hash="0" * 64,
                created_at=utcnow() - timedelta(days=age),
            )
        )
    db.session.commit()
    result = runner.invoke(args=["purge-idempotency-keys", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 " in result.output
    assert db.session.scalars(db.select(IdempotencyKey.key)).all() == ["recent"]


def test_users_create_links_an_official_to_communes(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Can.Bo@Xa.vn",
            "--role",
            "official",
            "--password",
            "mat-khau-2026",
            "--commune",
            "08914",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(db.select(User).where(User.email == "can.bo@xa.vn")).one()
    assert [c.code for c in user.communes] == ["08914"]


def test_users_create_refuses_a_weak_password_without_a_trace(runner):
    result = runner.invoke(
        args=["users", "create", "a@b.vn", "--role", "buyer", "--password", "short"]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
