"""Write-time aggregates of payments, attributed sales and market sales

Three tables of additive sums under keys that never change, kept by the services in the same
transaction as the records (linkage/services/aggregates): household_month_income (counted
payments by household, month, cooperative and kind), household_month_products (farmgate
payments and attributed sales by household, month, cooperative and the product of the
delivery's lot) and cooperative_month_sales (paid order lines by cooperative, month of payment
and the listing's product). Months are YYYYMM numbers in Vietnam time (UTC+7). The upgrade
fills them from the records already there, with set-based SQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 18:04:24.340841

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# the Vietnam-time month (UTC+7 all year) of a UTC timestamp column, as YYYYMM
MONTH_SQL = {
    "sqlite": "CAST(strftime('%Y%m', {column}, '+7 hours') AS INTEGER)",
    "postgresql": (
        "CAST(to_char(({column} AT TIME ZONE 'UTC') + INTERVAL '7 hours', 'YYYYMM') AS INTEGER)"
    ),
}

INCOME = """
INSERT INTO household_month_income
    (household_id, month, cooperative_id, kind, amount_vnd, payments)
SELECT household_id, {paid}, cooperative_id, kind, SUM(amount_vnd), COUNT(*)
FROM payments
WHERE voided_at IS NULL
GROUP BY household_id, {paid}, cooperative_id, kind
"""

PRODUCTS = """
INSERT INTO household_month_products
    (household_id, month, cooperative_id, product_id, farmgate_vnd, farmgate_payments,
     attributed_vnd)
SELECT incomes.household_id, incomes.month, incomes.cooperative_id, lots.product_id,
       SUM(incomes.farmgate), SUM(incomes.payments), SUM(incomes.attributed)
FROM (
    SELECT household_id, {paid} AS month, cooperative_id, collection_id,
           amount_vnd AS farmgate, 1 AS payments, 0 AS attributed
    FROM payments
    WHERE kind = 'farmgate' AND voided_at IS NULL
    UNION ALL
    SELECT household_id, {paid}, cooperative_id, collection_id, 0, 0, amount_vnd
    FROM income_attributions
) AS incomes
JOIN collections ON collections.id = incomes.collection_id
JOIN lots ON lots.id = collections.lot_id
GROUP BY incomes.household_id, incomes.month, incomes.cooperative_id, lots.product_id
"""

SALES = """
INSERT INTO cooperative_month_sales (cooperative_id, month, product_id, sales_vnd, lines)
SELECT orders.cooperative_id, {order_paid}, listings.product_id, SUM(order_lines.amount_vnd),
       COUNT(*)
FROM order_lines
JOIN orders ON orders.id = order_lines.order_id
JOIN listings ON listings.id = order_lines.listing_id
WHERE orders.status = 'paid' AND orders.paid_at IS NOT NULL
GROUP BY orders.cooperative_id, {order_paid}, listings.product_id
"""


def _fill():
    """The aggregates of the records already there (as `flask aggregates rebuild`)."""
    month = MONTH_SQL[op.get_bind().dialect.name]
    paid = month.format(column="paid_at")
    op.execute(sa.text(INCOME.format(paid=paid)))
    op.execute(sa.text(PRODUCTS.format(paid=paid)))
    op.execute(sa.text(SALES.format(order_paid=month.format(column="orders.paid_at"))))


def upgrade():
    op.create_table(
        "cooperative_month_sales",
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("sales_vnd", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month % 100 BETWEEN 1 AND 12",
            name=op.f("ck_cooperative_month_sales_month_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_cooperative_month_sales_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_cooperative_month_sales_product_id_products"),
        ),
        sa.PrimaryKeyConstraint(
            "cooperative_id", "month", "product_id", name=op.f("pk_cooperative_month_sales")
        ),
    )
    with op.batch_alter_table("cooperative_month_sales", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cooperative_month_sales_month",
            ["month", "cooperative_id", "sales_vnd"],
            unique=False,
        )

    op.create_table(
        "household_month_income",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "farmgate",
                "surplus",
                "other",
                name="payment_kind",
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("payments", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month % 100 BETWEEN 1 AND 12",
            name=op.f("ck_household_month_income_month_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_household_month_income_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_month_income_household_id_households"),
        ),
        sa.PrimaryKeyConstraint(
            "household_id",
            "month",
            "cooperative_id",
            "kind",
            name=op.f("pk_household_month_income"),
        ),
    )
    with op.batch_alter_table("household_month_income", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_month_income_month", ["month", "household_id", "amount_vnd"], unique=False
        )

    op.create_table(
        "household_month_products",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("farmgate_vnd", sa.BigInteger(), nullable=False),
        sa.Column("farmgate_payments", sa.Integer(), nullable=False),
        sa.Column("attributed_vnd", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "month BETWEEN 190001 AND 299912 AND month % 100 BETWEEN 1 AND 12",
            name=op.f("ck_household_month_products_month_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_household_month_products_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_month_products_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_household_month_products_product_id_products"),
        ),
        sa.PrimaryKeyConstraint(
            "household_id",
            "month",
            "cooperative_id",
            "product_id",
            name=op.f("pk_household_month_products"),
        ),
    )
    with op.batch_alter_table("household_month_products", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_month_products_month",
            ["month", "household_id", "product_id", "attributed_vnd"],
            unique=False,
        )

    _fill()


def downgrade():
    with op.batch_alter_table("household_month_products", schema=None) as batch_op:
        batch_op.drop_index("ix_household_month_products_month")

    op.drop_table("household_month_products")
    with op.batch_alter_table("household_month_income", schema=None) as batch_op:
        batch_op.drop_index("ix_household_month_income_month")

    op.drop_table("household_month_income")
    with op.batch_alter_table("cooperative_month_sales", schema=None) as batch_op:
        batch_op.drop_index("ix_cooperative_month_sales_month")

    op.drop_table("cooperative_month_sales")
