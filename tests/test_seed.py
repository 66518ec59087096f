"""The seed commands: reference data is idempotent; the demo province is believable and fixed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from werkzeug.security import generate_password_hash

from linkage.extensions import db
from linkage.seed.demo import (
    DEMO_PASSWORD,
    demo_loaded,
)
from linkage.services import accounts
from linkage.services.periods import current_day
from models import (
    Commune,
    EthnicGroup,
    Household,
    PovertyStandard,
    Product,
)

CODE_RE = re.compile(r"^HH-(\d{5})-\d{4}$")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """scrypt takes about 0.1 s per demo user; a cheap method keeps these tests quick."""
    monkeypatch.setattr(
        accounts,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


def _count(model: type) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model))


def _households() -> list[Household]:
    return sorted(db.session.scalars(db.select(Household)), key=lambda h: h.code)


def test_seed_reference_is_idempotent(runner):
    for _ in range(2):
        result = runner.invoke(args=["seed", "reference"])
        assert result.exit_code == 0, result.output
        assert "148 communes, 54 ethnic groups, 33 products, 2 poverty standards" in result.output
        counts = [_count(m) for m in (Commune, EthnicGroup, Product, PovertyStandard)]
        assert counts == [148, 54, 33, 2]


def test_seed_demo_command_loads_once_and_its_logins_work(runner, client):
    assert not demo_loaded()

    result = runner.invoke(args=["seed", "demo"])

    assert result.exit_code == 0, result.output
    assert "approved cooperatives" in result.output
    assert f"as of {current_day()}:" in result.output  # the demo ends today
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    assert "manager.daotru@linkage.demo" in result.output
    assert "admin@linkage.demo" in result.output
    assert demo_loaded()
    households = _count(Household)

    again = runner.invoke(args=["seed", "demo", "--if-empty"])

    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    assert _count(Household) == households
    refused = runner.invoke(args=["seed", "demo"])
    assert refused.exit_code != 0
    assert "already loaded" in refused.output
    assert "Traceback" not in refused.output
    assert _count(Household) == households
    response = client.post(
        "/login", data={"email": "manager.daotru@linkage.demo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
