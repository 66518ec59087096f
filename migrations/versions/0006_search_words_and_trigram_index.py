"""The catalog finds words and word starts: listings' search text as words, a trigram index

Each listing's `search_text` becomes its folded words (title, product's Vietnamese and English
names), each once, split at anything but a letter or digit and with a space at both ends
(' giao co lam kho yen tri jiaogulan dried herb tea '), so the catalog matches each query word
as `LIKE '% word%'` on that column alone. On PostgreSQL a GIN trigram index (pg_trgm) serves
that LIKE; SQLite has no such index and keeps scanning.

Downgrading drops the index (the extension stays: other objects may use it) and writes the
search text back in its former form (the folded fields joined by spaces).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 18:30:00.000000

"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEX = "ix_listings_search_text_trgm"
BATCH = 1000
_SPACES = re.compile(r"\s+")
_NOT_A_WORD = re.compile(r"[\W_]+")


# A copy of linkage.text as of this revision (a migration must not change with the code).
def _fold(text):
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def _word_index(*parts):
    words = dict.fromkeys(
        word for part in parts if part for word in _NOT_A_WORD.split(_fold(part)) if word
    )
    return f" {' '.join(words)} " if words else ""


def _former_key(*parts):
    return " ".join(_fold(part) for part in parts if part)


def _rewrite(make_text):
    """Every listing's search text from its title and product names, in batches."""
    connection = op.get_bind()
    listings = sa.table(
        "listings",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("product_id", sa.Integer),
        sa.column("search_text", sa.Text),
    )
    products = sa.table(
        "products",
        sa.column("id", sa.Integer),
        sa.column("name_vi", sa.String),
        sa.column("name_en", sa.String),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(listings.c.id, listings.c.title, products.c.name_vi, products.c.name_en)
            .join(products, products.c.id == listings.c.product_id)
            .where(listings.c.id > last)
            .order_by(listings.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            listings.update()
            .where(listings.c.id == sa.bindparam("listing_id"))
            .values(search_text=sa.bindparam("text")),
            [{"listing_id": row.id, "text": make_text(row.title, row.name_vi, row.name_en)} for row in rows],
        )
        last = rows[-1].id


def upgrade():
    _rewrite(_word_index)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            INDEX,
            "listings",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="listings")
    _rewrite(_former_key)
