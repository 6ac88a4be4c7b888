"""`plangov outbox`: the telemetry outbox."""

from __future__ import annotations

import typer

app = typer.Typer(help="The telemetry outbox.", no_args_is_help=True)


@app.command("relay")
def outbox_relay(
    batch: int = typer.Option(500, min=1, max=10_000),
) -> None:
    """Publish pending outbox messages to the bus (Redis stream or JSON-lines file)."""
    from plangov_app.workers.relay import relay_all

    typer.echo(f"published {relay_all(batch=batch)} messages")
