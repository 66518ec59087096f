"""Settings of the app's database connections."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from linkage.extensions import db


@pytest.mark.postgres
def test_postgresql_connections_compile_no_statement_just_in_time(app):
    """JIT compilation of the impact statements costs more than it saves (README, Benchmark)."""
    assert db.session.scalar(text("SHOW jit")) == "off"
