"""Command-line maintenance: purging old idempotency keys, creating users, the aggregates."""

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


def test_aggregates_verify_names_the_keys_that_differ_and_rebuild_repairs(runner, make_user):
    from datetime import UTC, datetime

    from linkage.services.valuechain import payments
    from models import HouseholdMonthIncome

    from .factories_valuechain import member_of

    manager = make_user("manager")
    coop = manager.cooperatives[0]
    household = member_of(coop)
    when = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    payments.record_payment(manager, coop, household.id, 400_000, "surplus", when)
    db.session.commit()
    assert runner.invoke(args=["aggregates", "verify"]).exit_code == 0

    db.session.execute(db.update(HouseholdMonthIncome).values(amount_vnd=399_000))
    db.session.commit()
    result = runner.invoke(args=["aggregates", "verify"])
    assert result.exit_code == 1
    assert (
        f"household_month_income household_id={household.id} month=202603 "
        f"cooperative_id={coop.id} kind=surplus: amount_vnd 399000 (records: 400000)"
    ) in result.output

    result = runner.invoke(args=["aggregates", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "household_month_income 1 rows" in result.output
    result = runner.invoke(args=["aggregates", "verify"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(db.select(HouseholdMonthIncome.amount_vnd)) == 400_000
