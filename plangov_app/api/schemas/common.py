"""What every router shares: strict request bodies, problem documents, pages of lists."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


class Strict(BaseModel):
    """Request bodies refuse unknown fields."""

    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


class Page(BaseModel, Generic[T]):
    """A page of a list, with the cursor for the next page (null at the end)."""

    items: list[T]
    next_cursor: str | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}},
           "description": desc}
    for code, desc in {400: "Malformed request", 401: "Missing or invalid token",
                       403: "Not allowed for this role", 404: "Not found or not visible",
                       409: "Conflict (stale version, illegal transition)",
                       413: "Body too large", 422: "Invalid input"}.items()
}
