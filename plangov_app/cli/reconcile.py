"""`plangov reconcile`: consistency checks across versions, audit and outbox."""

from __future__ import annotations

import typer


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
