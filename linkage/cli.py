"""Flask commands: `seed`, `users create|disable|enable`, `records verify`, `orders expire`,
`aggregates rebuild|verify`, key purges."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from linkage.extensions import db
from linkage.services.errors import DomainError
from models import BuyerKind, Role, User

seed_cli = AppGroup("seed", help="Load reference data or a demo province.")
users_cli = AppGroup("users", help="Manage user accounts.")


@seed_cli.command("reference")
def seed_reference_command() -> None:
    """Communes, ethnic groups, products and poverty standards (idempotent)."""
    from linkage.seed.reference import seed_reference

    counts = seed_reference()
    db.session.commit()
    click.echo(
        f"Reference data: {counts.communes} communes, {counts.ethnic_groups} ethnic groups, "
        f"{counts.products} products, {counts.poverty_standards} poverty standards."
    )


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the demo is already loaded.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    envvar="LINKAGE_DEMO_TODAY",
    help="The day the demo's 18 months end on (default: today in Vietnam).",
)
def seed_demo_command(if_empty: bool, today: datetime | None) -> None:
    """Reference data plus a believable demo province; prints the demo logins."""
    from linkage.seed.demo import DEMO_PASSWORD, demo_loaded, seed_demo

    if demo_loaded():
        if if_empty:
            click.echo("The demo is already loaded.")
            return
        raise click.ClickException(
            "The demo is already loaded in this database; use --if-empty to skip quietly."
        )
    try:
        summary = seed_demo(today.date() if today else None)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(summary.describe())
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for role, email, what in summary.logins:
        click.echo(f"  {role:<9} {email:<40} {what}")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option(
    "--password", required=True, help="At least 10 characters, not one of the most common."
)
@click.option("--name", default="", help="Display name.")
@click.option("--cooperative", "cooperatives", type=int, multiple=True, help="Cooperative id.")
@click.option("--commune", "communes", multiple=True, help="Commune code (officials).")
@click.option("--province", "province_wide", is_flag=True, help="Official for the province.")
@click.option("--buyer-org", default=None, help="Buyer organisation name (buyers).")
@click.option(
    "--buyer-kind",
    type=click.Choice([k.value for k in BuyerKind]),
    default=BuyerKind.TRADER.value,
)
def create_user_command(
    email: str,
    role: str,
    password: str,
    name: str,
    cooperatives: tuple[int, ...],
    communes: tuple[str, ...],
    province_wide: bool,
    buyer_org: str | None,
    buyer_kind: str,
) -> None:
    """Create a user account with its role and links."""
    from linkage.services.accounts import create_user

    try:
        user = create_user(
            email,
            password,
            Role(role),
            name=name,
            cooperative_ids=cooperatives,
            commune_codes=communes,
            province_wide=province_wide,
            buyer_org=buyer_org,
            buyer_kind=BuyerKind(buyer_kind),
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


def _user_by_email(email: str) -> User:
    from linkage.services.accounts import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


@users_cli.command("disable")
@click.argument("email")
@click.option("--reason", default=None, help="Why, for the audit log.")
def disable_user_command(email: str, reason: str | None) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    from linkage.services.accounts import set_active

    user = _user_by_email(email)
    was_active = user.active
    set_active(None, user, False, reason)
    db.session.commit()
    click.echo(f"Disabled {user.email}." if was_active else f"{user.email} was already disabled.")


@users_cli.command("enable")
@click.argument("email")
@click.option("--reason", default=None, help="Why, for the audit log.")
def enable_user_command(email: str, reason: str | None) -> None:
    """Enable a disabled account again (its old sessions and tokens stay ended)."""
    from linkage.services.accounts import set_active

    user = _user_by_email(email)
    was_active = user.active
    set_active(None, user, True, reason)
    db.session.commit()
    click.echo(f"{user.email} was already enabled." if was_active else f"Enabled {user.email}.")


@click.command("purge-idempotency-keys")
@click.option("--days", type=click.IntRange(min=1), default=30, show_default=True)
def purge_idempotency_keys_command(days: int) -> None:
    """Delete Idempotency-Key records older than DAYS (clients retry within minutes)."""
    from datetime import timedelta

    from linkage.services.orders.idempotency import purge_keys

    deleted = purge_keys(timedelta(days=days))
    db.session.commit()
    click.echo(f"Deleted {deleted} idempotency keys older than {days} days.")


orders_cli = AppGroup("orders", help="Housekeeping of orders.")


@orders_cli.command("expire")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Days a placed order may wait for acceptance [default: ORDER_ACCEPT_WITHIN, 7].",
)
def expire_orders_command(days: int | None) -> None:
    """Cancel placed orders not accepted in time: stock back on sale, buyer and managers told.

    Safe to run again and from cron: an order is cancelled once, the next run finds nothing.
    """
    from datetime import timedelta

    from flask import current_app

    from linkage.services.orders import expire_placed_orders

    within = timedelta(days=days) if days else current_app.config["ORDER_ACCEPT_WITHIN"]
    expired = expire_placed_orders(within)
    db.session.commit()
    ids = expired.order_ids
    click.echo(
        f"Cancelled {len(ids)} placed orders not accepted within {within.days} days"
        + (f" ({', '.join(map(str, ids[:20]))}{', ...' if len(ids) > 20 else ''})." if ids else ".")
    )


records_cli = AppGroup("records", help="Check derived records against what was recorded.")


@records_cli.command("verify")
@click.option("--rebuild", is_flag=True, help="Rewrite the derived records that differ.")
def verify_records_command(rebuild: bool) -> None:
    """Recompute attributions, farmgate payments and lot quantities from the records.

    Exits with status 1 when something differs and --rebuild was not given.
    """
    from linkage.services.valuechain.verification import verify

    found = verify(rebuild=rebuild)
    click.echo(
        f"Paid orders whose attributions differ: {len(found.orders)}"
        + (f" ({', '.join(map(str, found.orders[:20]))})" if found.orders else "")
    )
    click.echo(
        f"Deliveries whose farmgate payment differs: {len(found.payments)}"
        + (f" ({', '.join(map(str, found.payments[:20]))})" if found.payments else "")
    )
    click.echo(
        f"Collection lots whose quantity differs from their deliveries: {len(found.lots)}"
        + (f" ({', '.join(found.lots[:20])})" if found.lots else "")
    )
    if rebuild:
        db.session.commit()
        if found.orders or found.payments:
            click.echo("Rebuilt the attributions and payments listed above.")
        if found.lots:
            raise click.ClickException("Lot quantities are not rebuilt: correct the records.")
    elif not found.clean:
        raise click.exceptions.Exit(1)


aggregates_cli = AppGroup(
    "aggregates", help="The write-time sums of payments and sales by household and month."
)


@aggregates_cli.command("rebuild")
def rebuild_aggregates_command() -> None:
    """Recompute every aggregate from the records (in one transaction)."""
    from linkage.services import aggregates

    rebuilt = aggregates.rebuild()
    db.session.commit()
    click.echo(
        "Rebuilt the aggregates: "
        + ", ".join(f"{name} {rows} rows" for name, rows in rebuilt.rows.items())
        + "."
    )


@aggregates_cli.command("verify")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def verify_aggregates_command(limit: int) -> None:
    """Compare the aggregates with their recomputation from the records.

    Prints the keys that differ (at most LIMIT per table) and exits with status 1 if any do.
    """
    from linkage.services import aggregates

    comparison = aggregates.compare(limit=limit)
    db.session.rollback()
    if comparison.clean:
        click.echo("The aggregates agree with the records.")
        return
    click.echo(f"Keys whose sums differ from the records ({len(comparison.differences)} shown):")
    for difference in comparison.differences:
        click.echo(f"  {difference.describe()}")
    click.echo("Run `flask --app linkage aggregates rebuild` to recompute them.")
    raise click.exceptions.Exit(1)


impact_cli = AppGroup("impact", help="The kept projections that province-wide impact figures read.")


@impact_cli.command("refresh")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help="Run again every SECONDS until stopped (a worker) instead of once.",
)
@click.option(
    "--whole",
    is_flag=True,
    help="Compute every kept period whole on the first run (after `impact verify` failed).",
)
def refresh_impact_command(every: int | None, whole: bool) -> None:
    """Keep the standard periods' projections and recompute the households changed since
    the last run (the outbox), in one transaction per run."""
    import time

    from linkage.services.impact import kept

    while True:
        refreshed = kept.refresh(whole=whole)
        whole = False
        db.session.commit()
        click.echo(
            f"Kept projections: {len(refreshed.built)} period(s) computed whole"
            + (f" ({', '.join(refreshed.built)})" if refreshed.built else "")
            + f", {len(refreshed.dropped)} dropped, {refreshed.households} household(s)"
            + f" recomputed from {refreshed.outbox_rows} outbox row(s)."
        )
        if every is None:
            return
        time.sleep(every)


@impact_cli.command("verify")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def verify_impact_command(limit: int) -> None:
    """Compare the kept projections with the projections computed now from the records'
    aggregates; exits with status 1 if any household differs."""
    from linkage.services.impact import kept

    found = kept.differences(limit)
    cells = kept.cell_differences()
    db.session.rollback()
    if not found and not cells:
        click.echo("The kept projections agree with the projections computed now.")
        return
    for period, households in found.items():
        click.echo(f"{period}: households {', '.join(map(str, households))} differ.")
    for period in cells:
        click.echo(f"{period}: the kept cells differ from the sums of the kept rows.")
    whole = " --whole" if cells else ""
    click.echo(f"Run `flask --app linkage impact refresh{whole}` to recompute them.")
    raise click.exceptions.Exit(1)


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(purge_idempotency_keys_command)
    app.cli.add_command(records_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(aggregates_cli)
    app.cli.add_command(impact_cli)
