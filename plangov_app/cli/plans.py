"""`plangov plans`: generate plans and move them through their lifecycle."""

from __future__ import annotations

import typer

from plangov_app.cli.common import fail

app = typer.Typer(help="Training plans.", no_args_is_help=True)


@app.command("generate")
def plans_generate(
    athlete: str = typer.Option(..., help="The athlete's email or id."),
    start: str = typer.Option(..., help="First day, YYYY-MM-DD."),
    weeks: int = typer.Option(8, min=4, max=52),
    algorithm: str = typer.Option(None, help="lp-1.0 or dup-1.0 (default: chosen for you)."),
    seed: str = typer.Option("", help="Generation seed (same inputs + seed = same plan)."),
    as_user: str = typer.Option("admin@demo.test", "--as",
                                help="Who asks for it (the algorithm writes it)."),
) -> None:
    """Generate a plan (status generated, baseline version 1) and print its id.

    Version 1 is written by the algorithm; `--as` is recorded as who asked for it.
    """
    from datetime import date

    from sqlmodel import or_, select

    from db.models import User
    from db.session import unit_of_work
    from plangov_app.services.context import system_context
    from plangov_app.services.errors import DomainError
    from plangov_app.services.plans import creation
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
            plan = creation.generate_plan(
                session, load_actor(session, actor_row.id), athlete_id=target.id,
                start_date=start_date, weeks=weeks, algorithm=algorithm, seed=seed,
                context=system_context("plangov plans generate"))
    except DomainError as error:
        fail(error.detail)
    typer.echo(f"{plan.id} ({plan.algorithm_version}, {weeks} weeks from {start_date}; "
               f"written by Generator {plan.algorithm_version}, requested by {as_user.lower()})")


@app.command("advance")
def plans_advance(
    today: str = typer.Option("", help="the day to advance to, YYYY-MM-DD (default: today)"),
) -> None:
    """Publish approved plans that have started; complete plans that have ended (daily)."""
    from datetime import date

    from db.session import unit_of_work
    from plangov_app.services.context import system_context
    from plangov_app.services.plans import lifecycle

    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        fail(f"--today: {today!r} is not a date (YYYY-MM-DD).")
    with unit_of_work() as session:
        moved = lifecycle.advance_lifecycle(session, day, system_context("plangov plans advance"))
    typer.echo(f"published {moved['published']}, completed {moved['completed']}")
