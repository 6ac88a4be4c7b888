"""What every command group shares: how a command fails."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str) -> NoReturn:
    """Print a one-line reason and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)
