"""`plangov demo`: the demo data set."""

from __future__ import annotations

import typer

app = typer.Typer(help="Demo data.", no_args_is_help=True)


@app.command("seed")
def demo_seed() -> None:
    """Create the demo users, teams and data (idempotent)."""
    from db.session import unit_of_work
    from plangov_app import demo

    with unit_of_work() as session:
        created = demo.seed(session)
    summary = ", ".join(f"{v} {k}" for k, v in created.items() if v) or "nothing new"
    typer.echo(f"demo data ready ({summary}); password for every account: {demo.DEMO_PASSWORD}")
