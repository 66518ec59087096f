"""Policy support recorded, corrected and voided like a collection

A support gets a loan's term in months (loans only), who recorded it and when, and a status
(recorded, corrected, void); its corrections and voids are kept in record_changes, which now
also accepts the record type `support`. Supports recorded before this revision are dated
by the time of the upgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 14:16:53.958977

"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import models.types


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RECORD_TYPES_BEFORE = "record_type IN ('collection', 'payment')"
RECORD_TYPES_AFTER = "record_type IN ('collection', 'payment', 'support')"


def upgrade():
    with op.batch_alter_table("supports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum(
                    "recorded",
                    "corrected",
                    "void",
                    name="support_status",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="recorded",
                nullable=False,
            )
        )

    supports = sa.table(
        "supports", sa.column("created_at", models.types.UTCDateTime(timezone=True))
    )
    op.execute(supports.update().values(created_at=datetime.now(UTC)))

    with op.batch_alter_table("supports", schema=None) as batch_op:
        batch_op.alter_column(
            "created_at",
            existing_type=models.types.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.create_check_constraint(
            op.f("ck_supports_term_months_range"),
            "term_months IS NULL OR (term_months >= 1 AND term_months <= 600)",
        )
        batch_op.create_check_constraint(
            op.f("ck_supports_term_months_loans_only"),
            "term_months IS NULL OR programme = 'policy_loan'",
        )
        batch_op.create_index(
            "ix_supports_programme_household", ["programme", "household_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_supports_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )

    with op.batch_alter_table("record_changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_record_changes_record_type_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_record_changes_record_type_known"), RECORD_TYPES_AFTER
        )


def downgrade():
    # the history of supports goes with the columns it describes
    op.execute("DELETE FROM record_changes WHERE record_type = 'support'")
    with op.batch_alter_table("record_changes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_record_changes_record_type_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_record_changes_record_type_known"), RECORD_TYPES_BEFORE
        )

    with op.batch_alter_table("supports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_supports_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_index("ix_supports_programme_household")
        batch_op.drop_constraint(op.f("ck_supports_term_months_loans_only"), type_="check")
        batch_op.drop_constraint(op.f("ck_supports_term_months_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_supports_support_status"), type_="check")
        batch_op.drop_column("status")
        batch_op.drop_column("created_at")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("term_months")
