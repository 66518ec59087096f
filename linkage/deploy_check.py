"""`flask --app linkage check-deploy`: the settings that leave a deployment open.

It reads the app's configuration and the environment the workers get (WEB_CONCURRENCY, the
number of gunicorn workers, and FLASK_DEBUG); it connects to nothing. In production
(LINKAGE_ENV=production) any finding makes it exit with status 1, so a deployment script or CI
can stop there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

MIN_SECRET_KEY_LENGTH = 32
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def workers(environ: Mapping[str, str]) -> int | None:
    """WEB_CONCURRENCY as a number of workers (1 when unset); None when it is not a number."""
    value = environ.get("WEB_CONCURRENCY", "1").strip()
    return int(value) if value.isdigit() else None


def _https(url: str | None) -> bool:
    return bool(url) and str(url).lower().startswith("https://")


def insecure_settings(config: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    """Each insecure setting found, as one line that names it and says what to do."""
    found: list[str] = []
    if config.get("DEBUG") or environ.get("FLASK_DEBUG", "").lower() in TRUE_WORDS:
        found.append("DEBUG is on: the debugger runs code for anyone; unset FLASK_DEBUG.")
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        what = "missing" if not key else f"{len(key)} characters long"
        found.append(
            f"SECRET_KEY is {what}: give at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        if not config.get(f"{cookie}_SECURE"):
            found.append(f"{cookie}_SECURE is off: the cookie would also go over plain HTTP.")
        if not config.get(f"{cookie}_HTTPONLY"):
            found.append(f"{cookie}_HTTPONLY is off: scripts could read the cookie.")
        if str(config.get(f"{cookie}_SAMESITE")) not in ("Lax", "Strict"):
            found.append(f"{cookie}_SAMESITE is not Lax or Strict.")
    if not config.get("TRUSTED_HOSTS"):
        found.append("TRUSTED_HOSTS is not set: any Host header is answered.")
    if not _https(config.get("PUBLIC_BASE_URL")):
        found.append(
            "PUBLIC_BASE_URL is not an https:// address: EPCIS ids and QR labels would follow "
            "the request."
        )
    if config.get("PREFERRED_URL_SCHEME") != "https":
        found.append("PREFERRED_URL_SCHEME is not https: links would be made for plain HTTP.")
    if not config.get("STRICT_TRANSPORT_SECURITY"):
        found.append("STRICT_TRANSPORT_SECURITY is not set: browsers are not told to keep HTTPS.")
    if not config.get("WTF_CSRF_ENABLED", True):
        found.append("WTF_CSRF_ENABLED is off: forms could be sent from other sites.")
    if not config.get("RATELIMIT_ENABLED", True):
        found.append("RATELIMIT_ENABLED is off: passwords could be guessed without limit.")
    found.extend(_worker_findings(config, environ))
    return found


def _worker_findings(config: Mapping[str, Any], environ: Mapping[str, str]) -> list[str]:
    count = workers(environ)
    if count is None:
        return [f"WEB_CONCURRENCY is not a number of workers: {environ['WEB_CONCURRENCY']!r}."]
    if count <= 1:
        return []
    found = []
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        found.append(
            f"DATABASE_URL is SQLite with {count} workers (WEB_CONCURRENCY): writers wait on "
            "one file lock; use PostgreSQL."
        )
    if str(config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        found.append(
            f"RATELIMIT_STORAGE_URI keeps rate limits in memory with {count} workers: each "
            "counts alone; use redis://."
        )
    return found


@click.command("check-deploy")
@with_appcontext
def check_deploy_command() -> None:
    """List insecure settings; in production, exit with status 1 when there is any."""
    findings = insecure_settings(current_app.config, os.environ)
    production = current_app.config["ENV_NAME"] == "production"
    if not findings:
        click.echo("No insecure setting found.")
        return
    click.echo(f"{len(findings)} insecure setting{'' if len(findings) == 1 else 's'}:")
    for finding in findings:
        click.echo(f"  - {finding}")
    if production:
        raise click.exceptions.Exit(1)
    env_name = current_app.config["ENV_NAME"]
    click.echo(f"(LINKAGE_ENV is {env_name}: not an error outside production.)")
