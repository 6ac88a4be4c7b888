"""`plangov experiments`: the experiment scheduler's pass, for cron."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from plangov_app.cli.common import fail

app = typer.Typer(help="Experiments.", no_args_is_help=True)


@app.command("tick")
def experiments_tick(
    now: str = typer.Option("", help="Act as of this moment, ISO 8601 (default: now)."),
) -> None:
    """Complete running or paused experiments whose end has passed; print their keys.

    A start in the future needs no pass: nobody is enrolled before `start_at`.
    """
    from plangov_app.workers.experiments import tick_once

    try:
        moment = datetime.fromisoformat(now.replace("Z", "+00:00")) if now else None
    except ValueError:
        fail(f"--now: {now!r} is not a date and time (ISO 8601).")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    done = tick_once(moment, tool="plangov experiments tick")
    typer.echo(f"completed {len(done)} experiments" + (f": {', '.join(done)}" if done else ""))
