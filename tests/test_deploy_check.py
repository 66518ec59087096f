"""`flask --app linkage check-deploy`: insecure settings are listed, and in production any of
them is an error (exit status 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from config import ProductionConfig
from linkage import create_app
from linkage.deploy_check import insecure_settings
from linkage.extensions import db, limiter

SECURE_ENVIRONMENT = {
    "LINKAGE_ENV": "production",
    "SECRET_KEY": "0123456789abcdef" * 4,
    "DATABASE_URL": "postgresql+psycopg://linkage@db.internal/linkage",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
    "TRUSTED_HOSTS": "linkage.example, www.linkage.example",
    "PUBLIC_BASE_URL": "https://linkage.example",
    "WEB_CONCURRENCY": "4",
}


def production_config(**changes: Any) -> dict[str, Any]:
    """ProductionConfig's settings with the environment above, as create_app reads it."""
    config = {k: getattr(ProductionConfig, k) for k in dir(ProductionConfig) if k.isupper()}
    config.update(
        SECRET_KEY=SECURE_ENVIRONMENT["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=SECURE_ENVIRONMENT["DATABASE_URL"],
        RATELIMIT_STORAGE_URI=SECURE_ENVIRONMENT["RATELIMIT_STORAGE_URI"],
        TRUSTED_HOSTS=["linkage.example"],
        PUBLIC_BASE_URL="https://linkage.example",
    )
    config.update(changes)
    return config


def test_a_secure_production_configuration_has_no_finding():
    assert insecure_settings(production_config(), {"WEB_CONCURRENCY": "4"}) == []


@pytest.mark.parametrize(
    ("changes", "environ", "named"),
    [
        ({"DEBUG": True}, {}, "DEBUG"),
        ({}, {"FLASK_DEBUG": "1"}, "DEBUG"),
        ({"SECRET_KEY": None}, {}, "SECRET_KEY is missing"),
        ({"SECRET_KEY": "short-key"}, {}, "SECRET_KEY is 9 characters long"),
        ({"SESSION_COOKIE_SECURE": False}, {}, "SESSION_COOKIE_SECURE"),
        ({"REMEMBER_COOKIE_SECURE": False}, {}, "REMEMBER_COOKIE_SECURE"),
        ({"SESSION_COOKIE_HTTPONLY": False}, {}, "SESSION_COOKIE_HTTPONLY"),
        ({"SESSION_COOKIE_SAMESITE": None}, {}, "SESSION_COOKIE_SAMESITE"),
        ({"TRUSTED_HOSTS": None}, {}, "TRUSTED_HOSTS"),
        ({"PUBLIC_BASE_URL": "http://linkage.example"}, {}, "PUBLIC_BASE_URL"),
        ({"PREFERRED_URL_SCHEME": "http"}, {}, "PREFERRED_URL_SCHEME"),
        ({"STRICT_TRANSPORT_SECURITY": None}, {}, "STRICT_TRANSPORT_SECURITY"),
        ({"WTF_CSRF_ENABLED": False}, {}, "WTF_CSRF_ENABLED"),
        ({"RATELIMIT_ENABLED": False}, {}, "RATELIMIT_ENABLED"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/linkage.db"}, {}, "SQLite with 4 workers"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, {}, "in memory with 4 workers"),
        ({}, {"WEB_CONCURRENCY": "four"}, "WEB_CONCURRENCY"),
    ],
)
def test_each_insecure_setting_is_named(changes, environ, named):
    findings = insecure_settings(production_config(**changes), {"WEB_CONCURRENCY": "4", **environ})
    assert len(findings) == 1, findings
    assert named in findings[0]


def test_one_worker_may_use_sqlite_and_memory_counting():
    config = production_config(
        SQLALCHEMY_DATABASE_URI="sqlite:////srv/linkage.db", RATELIMIT_STORAGE_URI="memory://"
    )
    assert insecure_settings(config, {}) == []
    assert len(insecure_settings(config, {"WEB_CONCURRENCY": "2"})) == 2


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, app: Flask) -> Iterator[Any]:
    """Set the deployment environment, then run `check-deploy` in an app made from it."""
    made: list[Flask] = []

    def check(**environ: str | None) -> Any:
        for name, value in {**SECURE_ENVIRONMENT, **environ}.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        made.append(create_app())
        with made[-1].app_context():  # the command's current_app, not the suite's app
            return made[-1].test_cli_runner().invoke(args=["check-deploy"])

    yield check
    for other in made:
        with other.app_context():
            db.engine.dispose()
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


def test_the_command_passes_a_secure_production(environment):
    result = environment()
    assert result.exit_code == 0, result.output
    assert "No insecure setting found." in result.output


def test_the_command_fails_an_insecure_production(environment):
    result = environment(SECRET_KEY="too-short", TRUSTED_HOSTS=None, WEB_CONCURRENCY="3")
    assert result.exit_code == 1
    assert "SECRET_KEY is 9 characters long" in result.output
    assert "TRUSTED_HOSTS is not set" in result.output
    assert "SECRET_KEY=too-short" not in result.output  # the secret itself is never shown


def test_the_command_only_lists_outside_production(environment):
    result = environment(LINKAGE_ENV="development", TRUSTED_HOSTS=None, PUBLIC_BASE_URL=None)
    assert result.exit_code == 0
    assert "SESSION_COOKIE_SECURE is off" in result.output
    assert "not an error outside production" in result.output


def test_production_without_a_secret_key_does_not_start(environment):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in production"):
        environment(SECRET_KEY=None)
