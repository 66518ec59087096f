"""Linkage: the cooperative market-linkage platform of Phu Tho province."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, INSTANCE_DIR

DATABASE_CONNECT_TIMEOUT = 5  # seconds


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: `config` is a mapping of overrides."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=False)
    app.root_path = str(Path(__file__).resolve().parent.parent)
    app.template_folder = "templates"
    app.static_folder = "static"
    env_name = (config or {}).get("ENV_NAME") or os.environ.get("LINKAGE_ENV", "development")
    if (config or {}).get("TESTING"):
        env_name = "testing"
    app.config.from_object(CONFIGS.get(env_name, CONFIGS["development"]))
    _load_environment(app)
    if config:
        app.config.update(config)
    _ensure_secret_key(app)

    register_request_context(app)
    register_extensions(app)
    register_request_guards(app)
    register_blueprints(app)
    register_static_files(app)
    register_errors(app)
    register_cli(app)
    register_template_helpers(app)
    return app


def _load_environment(app: Flask) -> None:
    """Read deployment settings at call time, so one process can build several apps."""
    if url := os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = url
    if key := os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = key
    if uri := os.environ.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = uri
    if hosts := os.environ.get("TRUSTED_HOSTS"):
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in hosts.split(",") if h.strip()]
    if base_url := os.environ.get("PUBLIC_BASE_URL"):
        app.config["PUBLIC_BASE_URL"] = base_url
    if os.environ.get("COMPRESS_RESPONSES", "").lower() in ("0", "false", "off", "no"):
        app.config["COMPRESS_REGISTER"] = False  # a reverse proxy compresses instead
    if proxies := os.environ.get("PROXY_COUNT"):
        if not proxies.isdigit():
            raise RuntimeError(f"PROXY_COUNT must be a number of proxies, not {proxies!r}")
        app.config["PROXY_COUNT"] = int(proxies)


def _ensure_secret_key(app: Flask) -> None:
    """Production refuses to start without SECRET_KEY; development keeps one in instance/."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("SECRET_KEY must be set in production")
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def register_request_context(app: Flask) -> None:
    """Hand the services what they need of the request, so they never import Flask.

    Registered first, so its hook runs before any other: the caller's address, for the audit
    log, is set when a request starts and cleared when it ends.
    """
    from flask import g, request

    from linkage.services import audit

    @app.before_request
    def remember_remote_addr() -> None:
        g._remote_addr_token = audit.remote_addr.set(request.remote_addr)

    @app.teardown_request
    def forget_remote_addr(_error: BaseException | None = None) -> None:
        token = g.pop("_remote_addr_token", None)
        try:
            if token is not None:
                audit.remote_addr.reset(token)
        except ValueError:  # the response was streamed from another context
            audit.remote_addr.set(None)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from linkage.compression import register_compression
    from linkage.extensions import api, babel, cache, csrf, db, limiter, login_manager, migrate
    from linkage.i18n import select_locale, select_timezone

    register_compression(app)  # first: its after_request hook runs last, on the whole answer

    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if uri.startswith("postgresql"):
        # an unreachable server is a 503 within seconds, not after the system's TCP timeout
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        )
        connect_args = options["connect_args"] = dict(options.get("connect_args", {}))
        connect_args.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
        # no JIT compilation: on the impact figures' large statements it cost more than it
        # saved (the summary by product, 0.2 scale: 1.8-2.1 s with JIT, 1.2 s without)
        connect_args.setdefault("options", "-c jit=off")
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    if app.config["CACHE_TYPE"] == "RedisCache":  # a Redis that does not answer: 2 s, then compute
        app.config.setdefault("CACHE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2})
    cache.init_app(app)
    from linkage.schemas.base import RulesPlugin, plain_text_openapi
    from linkage.schemas.common import quantity_openapi

    api.init_app(app, spec_kwargs={"extra_plugins": [RulesPlugin()]})
    api.ma_plugin.converter.add_attribute_function(quantity_openapi)
    api.ma_plugin.converter.add_attribute_function(plain_text_openapi)

    from linkage.security import audit_refused_access, forget_request_state, record_token_use

    app.after_request(audit_refused_access)
    app.teardown_request(record_token_use)
    app.teardown_request(forget_request_state)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL, a busy timeout, foreign keys and our SQL functions on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if "sqlite" not in module:
        return
    # SQLAlchemy's documented recipe: pysqlite must not emit BEGIN itself, so that the
    # "begin" listener below can choose BEGIN IMMEDIATE for requests that write.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    from linkage.services.search import register_sqlite_functions

    register_sqlite_functions(dbapi_connection)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """Writers take SQLite's write lock at BEGIN, so read-then-write never hits a stale snapshot.

    A deferred transaction that reads and then writes fails with "database is locked" when
    another writer committed in between; BEGIN IMMEDIATE makes it wait (busy_timeout) instead.
    Requests that only read (GET, HEAD) and work outside requests (CLI, a single writer) keep
    a plain deferred BEGIN.
    """
    if connection.dialect.name != "sqlite":
        return
    from flask import has_request_context, request

    writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def register_request_guards(app: Flask) -> None:
    """Security headers and proxies (linkage.http_headers), the JSON depth limit."""
    from linkage.http_headers import register_http_headers
    from linkage.json_depth import register_json_depth_limit

    register_http_headers(app)
    register_json_depth_limit(app)


def register_blueprints(app: Flask) -> None:
    """The URL converters, then the HTML blueprints and the API resources."""
    from blueprints import register_blueprints as register
    from linkage.routing import IdConverter, TextConverter

    # before the routes that use them
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    register(app)
    from blueprints import health  # probes for load balancers: no page, no API resource

    app.register_blueprint(health.bp)


def register_static_files(app: Flask) -> None:
    """Fingerprinted static URLs cached for a year, and /favicon.ico (linkage.static_files)."""
    from linkage.static_files import register_static_files as register

    register(app)


def register_errors(app: Flask) -> None:
    from linkage.errors import register_error_handlers

    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    from linkage.backup import backup_command, restore_command
    from linkage.cli import register_commands
    from linkage.deploy_check import check_deploy_command

    register_commands(app)
    for command in (backup_command, restore_command, check_deploy_command):
        app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    from linkage.templating import register_template_helpers as register

    register(app)
