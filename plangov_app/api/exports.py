"""CSV downloads streamed in constant memory and audited once they have succeeded.

The filters are checked and the query run (the first chunk built) before the export's
audit event is committed, and it is committed before the first byte is sent: an export
that fails is not audited (the client gets a problem+json instead), and no data leaves
without its audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

from fastapi.responses import StreamingResponse
from sqlmodel import Session

from db.session import read_session, unit_of_work


def audited_csv(chunks: Callable[[Session], Iterator[str]],
                record: Callable[[Session], Any], *, filename: str) -> StreamingResponse:
    """Stream `chunks(session)` as a CSV attachment; `record(session)` audits the export."""
    stack = ExitStack()
    try:
        body = chunks(stack.enter_context(read_session()))
        stack.callback(_close, body)
        first = next(body, "")
        with unit_of_work() as session:
            record(session)
    except BaseException:
        stack.close()
        raise
    return StreamingResponse(_sent(stack, first, body), media_type="text/csv",
                             headers={"Content-Disposition":
                                      f'attachment; filename="{filename}"'})


def _close(body: Iterator[str]) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def _sent(stack: ExitStack, first: str, body: Iterator[str]) -> Iterator[str]:
    with stack:
        yield first
        yield from body
