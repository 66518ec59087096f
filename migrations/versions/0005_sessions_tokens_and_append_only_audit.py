"""Sessions that end, authentication and access in the audit log, an append-only audit table

Browser sessions are kept on the server (user_sessions: the hash of the cookie's secret, when
it ended and why), so logout, a password change, disabling an account and a change of role
end them for good. The audit log gets the actions of authentication and access (login,
failed login, logout, token issue and revocation, refused access: 403 and 404) and an index
for the admin's filter by action and time. On PostgreSQL a trigger refuses UPDATE, DELETE
and TRUNCATE on audit_entries, whatever the role.

Downgrading removes the trigger and the new actions: it fails while the log holds entries
with them (the log is append-only; nothing here deletes them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 14:30:00.000000

"""

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_ACTIONS = ("create", "update", "delete", "read", "export")
NEW_ACTIONS = (
    *OLD_ACTIONS,
    "login",
    "login_failed",
    "logout",
    "token_issue",
    "token_revoke",
    "denied",
    "not_found",
)

APPEND_ONLY_FUNCTION = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER audit_entries_no_update_delete BEFORE UPDATE OR DELETE ON audit_entries "
    "FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()",
    "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()",
)


def _actions(values):
    return sa.Enum(
        *values,
        name="audit_action",
        native_enum=False,
        create_constraint=True,
        length=max(len(value) for value in values),
    )


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "action",
            existing_type=_actions(OLD_ACTIONS),
            type_=_actions(NEW_ACTIONS),
            existing_nullable=False,
        )
        batch_op.create_index("ix_audit_entries_action_at", ["action", "occurred_at"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for statement in APPEND_ONLY_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update_delete ON audit_entries")
        op.execute("DROP FUNCTION IF EXISTS audit_entries_append_only()")

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_action_at")
        batch_op.alter_column(
            "action",
            existing_type=_actions(NEW_ACTIONS),
            type_=_actions(OLD_ACTIONS),
            existing_nullable=False,
        )

    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
    op.drop_table("user_sessions")
