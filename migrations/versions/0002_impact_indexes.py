"""Covering indexes for the impact figures

The officials' figures sum each household's payments and attributed sales over a period.
These indexes hold every column those sums read, so a province-wide period is one index range
scan and one commune's households are read from the index alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:45:00

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_household_paid")
        batch_op.create_index(
            "ix_payments_household_paid", ["household_id", "paid_at", "amount_vnd"], unique=False
        )
        batch_op.create_index(
            "ix_payments_paid_household",
            ["paid_at", "household_id", "amount_vnd", "collection_id"],
            unique=False,
        )

    with op.batch_alter_table("income_attributions", schema=None) as batch_op:
        batch_op.drop_index("ix_income_attributions_household_paid")
        batch_op.create_index(
            "ix_income_attributions_household_paid",
            ["household_id", "paid_at", "amount_vnd"],
            unique=False,
        )
        batch_op.create_index(
            "ix_income_attributions_paid_household",
            ["paid_at", "household_id", "amount_vnd", "collection_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("income_attributions", schema=None) as batch_op:
        batch_op.drop_index("ix_income_attributions_paid_household")
        batch_op.drop_index("ix_income_attributions_household_paid")
        batch_op.create_index(
            "ix_income_attributions_household_paid", ["household_id", "paid_at"], unique=False
        )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_paid_household")
        batch_op.drop_index("ix_payments_household_paid")
        batch_op.create_index(
            "ix_payments_household_paid", ["household_id", "paid_at"], unique=False
        )
