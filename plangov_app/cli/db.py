"""`plangov db`: the database schema."""

from __future__ import annotations

import typer

from plangov_app.cli.common import fail

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
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
