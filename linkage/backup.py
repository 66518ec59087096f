"""`flask --app linkage backup PATH` and `flask --app linkage restore PATH`.

SQLite is copied with its online backup API (a consistent copy while the app keeps serving);
PostgreSQL with `pg_dump --format=custom`, restored by `pg_restore` in one transaction. A
backup holds personal data: the file is made readable by its owner only, and is written under
a temporary name first, so a failed backup never replaces a good one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from linkage.extensions import db

PRIVATE = 0o600


def database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise click.ClickException("Only an SQLite database in a file can be backed up.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URL for pg_dump and pg_restore, and their environment: the password
    goes in PGPASSWORD, never on the command line (where `ps` shows it)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(f"{name} is not installed (Debian: postgresql-client).")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise click.ClickException(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


@contextmanager
def _private_file(path: Path) -> Iterator[Path]:
    """A new file readable by its owner only beside `path`; renamed to `path` on success."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def backup_database(path: Path) -> None:
    """Write a backup of the app's database to `path` (replaced if it exists)."""
    url = database_url()
    with _private_file(path) as partial:
        if url.get_backend_name() == "sqlite":
            source_file = _sqlite_file(url)
            with (
                closing(sqlite3.connect(source_file)) as source,
                closing(sqlite3.connect(partial)) as target,
            ):
                source.backup(target)
        elif url.get_backend_name() == "postgresql":
            target_url, env = _libpq(url)
            dump = [_program("pg_dump"), "--format=custom", "--file", str(partial)]
            _run([*dump, "--dbname", target_url], env)
        else:
            raise click.ClickException(f"No backup for {url.get_backend_name()} databases.")


def _check_sqlite_backup(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as backup:
            (verdict,) = backup.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in backup.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not an SQLite database: {error}") from None
    if verdict != "ok":
        raise click.ClickException(f"{path} is damaged: {verdict}")
    if "users" not in tables:
        raise click.ClickException(f"{path} is not a Linkage database (no users table).")


def restore_database(path: Path) -> None:
    """Replace the content of the app's database with the backup at `path`."""
    url = database_url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps old pages or holds a lock
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(path)
        with (
            closing(sqlite3.connect(path)) as source,
            closing(sqlite3.connect(_sqlite_file(url), timeout=30)) as target,
        ):
            source.backup(target)
    elif url.get_backend_name() == "postgresql":
        target_url, env = _libpq(url)
        restore = [_program("pg_restore"), "--clean", "--if-exists", "--no-owner"]
        _run([*restore, "--single-transaction", "--dbname", target_url, str(path)], env)
    else:
        raise click.ClickException(f"No restore for {url.get_backend_name()} databases.")


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a backup of the database to PATH (SQLite file copy or pg_dump custom format)."""
    backup_database(path)
    click.echo(f"Backed up {_shown(database_url())} to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the records without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace every record of the database with the backup at PATH. Stop the app first."""
    shown = _shown(database_url())
    if not yes:
        click.confirm(f"Replace every record of {shown} with {path}?", abort=True)
    restore_database(path)
    click.echo(f"Restored {shown} from {path}.")
    click.echo("A backup made by an older version needs `flask --app linkage db upgrade` next.")
