"""Schema objects that exist on one database only, and the filter that tells Alembic so.

The catalog's trigram index needs PostgreSQL's pg_trgm; SQLite has no such index. Such an
object says where it exists (`info["dialect"]`) and is created there only (`ddl_if`); the
comparison of the models with a migrated database (autogenerate, tests/test_migrations.py)
leaves it out elsewhere through `include_object_for`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Index

DIALECT = "dialect"


def postgresql_only(index: Index) -> Index:
    """The index, created on PostgreSQL only."""
    index.info[DIALECT] = "postgresql"
    return index.ddl_if(dialect="postgresql")


def include_object_for(dialect_name: str) -> Callable[..., bool]:
    """An Alembic `include_object` hook that skips the objects of other databases."""

    def include_object(obj: Any, _name: Any, _type: str, _reflected: bool, _compare: Any) -> bool:
        wanted = getattr(obj, "info", {}).get(DIALECT)
        return wanted is None or wanted == dialect_name

    return include_object
