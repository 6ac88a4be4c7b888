"""Who is asking, and from where: carried into every audit event."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


def new_request_id() -> str:
    """A fresh request id."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class RequestContext:
    """The request's id, origin address and user agent (truncated to the column sizes)."""

    request_id: str = field(default_factory=new_request_id)
    origin_ip: str | None = None
    user_agent: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_id", (self.request_id or new_request_id())[:64])
        if self.origin_ip:
            object.__setattr__(self, "origin_ip", self.origin_ip[:64])
        if self.user_agent:
            object.__setattr__(self, "user_agent", self.user_agent[:512])


def system_context(tool: str = "plangov-cli") -> RequestContext:
    """The context of work started on this machine (CLI, seeding, jobs)."""
    return RequestContext(origin_ip="127.0.0.1", user_agent=tool)
