"""The `plangov` console script: one module per command group (db, demo, plans, …).

`app` is the Typer application (`plangov = "plangov_app.cli:app"`); `python -m
plangov_app.cli` runs it too.
"""

from __future__ import annotations

import sys

import typer

from plangov_app.cli import audit, db, demo, experiments, outbox, plans, reconcile, users
from plangov_app.cli.common import fail

app = typer.Typer(help="PlanGov administration.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(plans.app, name="plans")
app.add_typer(outbox.app, name="outbox")
app.add_typer(db.app, name="db")
app.add_typer(demo.app, name="demo")
app.add_typer(audit.app, name="audit")
app.add_typer(experiments.app, name="experiments")
app.command("token")(users.token)
app.command("reconcile")(reconcile.reconcile)


@app.callback()
def _load_settings() -> None:
    from plangov_app.settings import SettingsError, get_settings

    try:
        get_settings()
    except SettingsError as error:
        fail(str(error))


def main() -> None:
    """Entry point for `python -m plangov_app.cli`."""
    sys.exit(app())
