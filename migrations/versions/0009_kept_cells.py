"""Kept cells: the kept rows of a period summed by commune, ethnic group, official status,
transition and product as sold or month

The kept periods are emptied here (their projections and rows by product deleted): a kept
period is read only with its cells and its rows by month (kept_product_rows, grouping
"month"), so the worker's next run (`flask --app linkage impact refresh`) builds each one
whole, rows and cells together; until then every figure is computed from the aggregates as
before.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:20:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_cells",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("grouping", sa.String(length=20), nullable=False),
        sa.Column("commune_code", sa.String(length=5), nullable=False),
        sa.Column("ethnic_group_code", sa.String(length=2), nullable=False),
        sa.Column("official_status", sa.String(length=20), nullable=False),
        sa.Column("transition", sa.String(length=20), nullable=False),
        sa.Column("pkey", sa.String(length=40), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("platform_vnd", sa.BigInteger(), nullable=False),
        sa.Column("attributed_vnd", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["kept_periods.id"],
            name=op.f("fk_kept_cells_period_id_kept_periods"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "period_id",
            "grouping",
            "commune_code",
            "ethnic_group_code",
            "official_status",
            "transition",
            "pkey",
            name=op.f("pk_kept_cells"),
        ),
    )
    for table in ("kept_product_rows", "kept_projections", "kept_periods"):
        op.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (constant names)


def downgrade():
    op.drop_table("kept_cells")
