"""`plangov token`: accounts from the command line."""

from __future__ import annotations

import typer

from plangov_app.cli.common import fail


def token(email: str) -> None:
    """Print a bearer token for EMAIL (for scripting against the API)."""
    from db.session import read_session
    from plangov_app.services.auth import token_for
    from plangov_app.services.errors import DomainError

    try:
        with read_session() as session:
            typer.echo(token_for(session, email))
    except DomainError as error:
        fail(error.detail)
