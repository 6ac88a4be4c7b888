"""`plangov audit`: the tamper-evident audit log."""

from __future__ import annotations

import typer

from plangov_app.cli.common import fail

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the audit hash chain; exit 1 on any tampering."""
    from db.session import read_session
    from plangov_app.services.audit import verify_chain

    with read_session() as session:
        report = verify_chain(session)
    if not report.ok:
        fail(report.sentence())
    typer.echo(report.sentence())
