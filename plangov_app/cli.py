"""The `plangov` console script: database, demo data, tokens, audit."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

app = typer.Typer(help="PlanGov administration.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
plans_app = typer.Typer(help="Training plans.", no_args_is_help=True)
outbox_app = typer.Typer(help="The telemetry outbox.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")
app.add_typer(outbox_app, name="outbox")
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(audit_app, name="audit")


def fail(message: str) -> NoReturn:
    """Print a one-line reason and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@app.callback()
def _load_settings() -> None:
    from plangov_app.settings import SettingsError, get_settings

    try:
        get_settings()
    except SettingsError as error:
        fail(str(error))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Bring the database to the latest schema (Alembic)."""
    from db.migrate import upgrade
    from db.session import get_engine

    engine = get_engine()
    try:
        upgrade(engine, revision)
    except Exception as error:
        fail(f"migration failed on {engine.url.render_as_string()}: {error}")
    typer.echo(f"database at {revision}: {engine.url.render_as_string()}")


@demo_app.command("seed")
def demo_seed() -> None:
    """Create the demo users, teams and data (idempotent)."""
    from db import demo
    from db.session import unit_of_work

    with unit_of_work() as session:
        created = demo.seed(session)
    summary = ", ".join(f"{v} {k}" for k, v in created.items() if v) or "nothing new"
    typer.echo(f"demo data ready ({summary}); password for every account: {demo.DEMO_PASSWORD}")


@app.command("token")
def token(email: str) -> None:
    """Print a bearer token for EMAIL (for scripting against the API)."""
    from db.session import read_session
    from plangov_app.services.auth import token_for
    from plangov_app.services.errors import DomainError

    try:
        with read_session() as session:
            typer.echo(token_for(session, email))
    except DomainError as error:
        fail(error.detail)


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 on any tampering."""
    from db.session import read_session
    from plangov_app.services.audit import verify_chain

    with read_session() as session:
        report = verify_chain(session)
    if not report.ok:
        fail(report.sentence())
    typer.echo(report.sentence())


@plans_app.command("generate")
def plans_generate(
    athlete: str = typer.Option(..., help="The athlete's email or id."),
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    weeks: int = typer.Option(8, min=4, max=52),
    algorithm: str = typer.Option(None, help="lp-1.0 or dup-1.0 (default: chosen for you)."),
    seed: str = typer.Option("", help="Generation seed (same inputs + seed = same plan)."),
    as_user: str = typer.Option("admin@demo.test", "--as", help="Who generates it."),
) -> None:
    """Generate a plan (status generated, baseline version 1) and print its id."""
    from datetime import date

    from sqlmodel import or_, select

    from db.models import User
    from db.session import unit_of_work
    from plangov_app.services import plans
    from plangov_app.services.context import system_context
    from plangov_app.services.errors import DomainError
    from plangov_app.services.rbac import load_actor

    try:
        start_date = date.fromisoformat(start)
    except ValueError:
        fail(f"--start: {start!r} is not a date (YYYY-MM-DD).")
    try:
        with unit_of_work() as session:
            actor_row = session.exec(select(User).where(User.email == as_user.lower())).first()
            target = session.exec(select(User).where(
                or_(User.email == athlete.lower(), User.id == athlete))).first()
            if actor_row is None or target is None:
                fail(f"no account {as_user if actor_row is None else athlete!r}.")
            plan = plans.generate_plan(
                session, load_actor(session, actor_row.id), athlete_id=target.id,
                start_date=start_date, weeks=weeks, algorithm=algorithm, seed=seed,
                context=system_context("plangov plans generate"))
    except DomainError as error:
        fail(error.detail)
    typer.echo(f"{plan.id} ({plan.algorithm_version}, {weeks} weeks from {start_date})")


@plans_app.command("advance")
def plans_advance(
    today: str = typer.Option("", help="the day to advance to, YYYY-MM-DD (default: today)"),
) -> None:
    """Publish approved plans that have started; complete plans that have ended (daily)."""
    from datetime import date

    from db.session import unit_of_work
    from plangov_app.services import plans
    from plangov_app.services.context import system_context

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        fail(f"--today: {today!r} is not a date (YYYY-MM-DD).")
    with unit_of_work() as session:
        moved = plans.advance_lifecycle(session, day, system_context("plangov plans advance"))
    typer.echo(f"published {moved['published']}, completed {moved['completed']}")


@app.command("reconcile")
def reconcile(
    outbox_max_age: int = typer.Option(None, help="Seconds an outbox row may wait "
                                       "(default PLANGOV_OUTBOX_MAX_AGE_SECONDS)."),
) -> None:
    """Find orphan versions, missing audit events and a stuck outbox; alert and exit 1."""
    from datetime import timedelta

    from db.session import unit_of_work
    from plangov_app.services import reconcile as checks
    from plangov_app.services.context import system_context
    from plangov_app.settings import get_settings

    age = outbox_max_age or get_settings().outbox_max_age_seconds
    with unit_of_work() as session:
        report = checks.run(session, outbox_max_age=timedelta(seconds=age))
        if not report.ok:
            checks.raise_alert(session, report, system_context("plangov reconcile"))
    for line in report.lines():
        typer.echo(line)
    if not report.ok:
        raise typer.Exit(1)


@outbox_app.command("relay")
def outbox_relay(
    batch: int = typer.Option(500, min=1, max=10_000),
) -> None:
    """Publish pending outbox messages to the bus (Redis stream or JSON-lines file)."""
    from db.session import unit_of_work
    from plangov_app.services import outbox

    total = 0
    while True:
        with unit_of_work() as session:
            sent = outbox.relay(session, outbox.default_sink(), batch=batch)
        total += sent
        if sent < batch:
            break
    typer.echo(f"published {total} messages")


def main() -> None:
    """Entry point for `python -m plangov_app.cli`."""
    sys.exit(app())


if __name__ == "__main__":
    main()
