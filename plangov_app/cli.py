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


def main() -> None:
    """Entry point for `python -m plangov_app.cli`."""
    sys.exit(app())


if __name__ == "__main__":
    main()
