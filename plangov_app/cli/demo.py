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


@app.command("cohort")
def demo_cohort(
    n: int = typer.Argument(..., help="How many synthetic athletes to add (1 to 100,000)."),
    seed: str = typer.Option("cohort", help="Seed of every draw (same N, seed, day: same data)."),
    batch: int = typer.Option(200, min=1, max=5000, help="Athletes per transaction."),
    plans: bool = typer.Option(True, "--plans/--no-plans",
                               help="Generate plans and workout logs (--no-plans: people only)."),
) -> None:
    """Add N pseudonymous athletes with coaches, generated plans and weeks of workout logs.

    A running experiment decides each plan's algorithm; dup-1.0 plans complete 6 points
    more sessions by construction. Running it again adds N more, numbered after the last.
    """
    from plangov_app.cli.common import fail
    from plangov_app.demo import cohort
    from plangov_app.services.errors import DomainError

    try:
        cohort.check_size(n)
    except DomainError as error:
        fail(error.detail)

    def progress(done: int, total: int) -> None:
        typer.echo(f"cohort: {done}/{total} athletes ({100 * done // total}%)", err=True)

    report = cohort.add_cohort(n, seed=seed, batch_size=batch, progress=progress,
                               with_plans=plans)
    typer.echo(report.summary())
