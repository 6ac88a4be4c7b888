"""ASGI middleware for `/api/` paths: the server's request id, a body size cap, a JSON depth cap.

The body is read (up to `max_body_bytes`) before the application runs, so an oversized
body — declared or chunked — is refused with 413 and nothing of it is processed, and a JSON
body nested deeper than `max_json_depth` is refused with 400 before any parser recurses into
it. The application then receives the same bytes through `receive`.
"""

from __future__ import annotations

import json
import re
from array import array
from itertools import accumulate

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plangov_app.services.context import new_request_id
from plangov_app.settings import get_settings

API_PREFIX = "/api/"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*[\[{]")
# JSON text up to the first unterminated string: runs of non-quotes and complete strings.
_JSON_TEXT = re.compile(rb'(?:[^"]++|"[^"\\]*+(?:\\.[^"\\]*+)*+")*+', re.DOTALL)
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_BLOCK = 4096


class BodyTooLarge(Exception):
    """The client sent more than the configured maximum."""


def json_too_deep(body: bytes, limit: int) -> bool:
    """Whether UTF-8 JSON `body` nests `[`/`{` more than `limit` deep.

    Linear and without recursion: cut the text at the first unterminated string (the parser
    stops there), drop the strings (escapes honoured; possessive patterns never backtrack),
    keep the brackets as +1/-1 steps, and sum them block by block up to the first step over
    `limit`. A closer without an opener ends the scan too: the parser refuses the body there.
    """
    prefix = _JSON_TEXT.match(body)  # always matches, if only the empty prefix
    text = body[:prefix.end()] if prefix else b""
    steps = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS).translate(_STEPS)
    depth = 0
    for start in range(0, len(steps), _BLOCK):
        depths = list(accumulate(array("b", steps[start:start + _BLOCK]), initial=depth))
        if max(depths) > limit:
            return min(depths[:depths.index(limit + 1)]) >= 0
        if min(depths) < 0:
            return False
        depth = depths[-1]
    return False


def as_utf8(body: bytes) -> bytes:
    """The body re-encoded as UTF-8 when it is UTF-16 or UTF-32 JSON (which `json.loads` accepts).

    In UTF-8 a byte below 0x80 is always that ASCII character, so a byte scan sees exactly the
    quotes, backslashes and brackets the parser sees; in UTF-16 a letter can contain a `"` byte.
    """
    encoding = json.detect_encoding(body)
    if encoding in ("utf-8", "utf-8-sig"):
        return body
    return body.decode(encoding, errors="replace").encode("utf-8")


def is_json_body(content_type: str, body: bytes) -> bool:
    """Whether a parser may read `body` as JSON: a JSON media type, none at all, or `[`/`{` first.

    Form bodies (sign-in) are never JSON here, whatever they start with.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media in _FORM_TYPES:
        return False
    return not media or "json" in media or _JSON_START.match(body) is not None


# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is text)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def nul_in_request(scope: Scope, content_type: str, body: bytes) -> str | None:
    """Which part of the request carries a NUL (path, query, form or JSON body), or None.

    No id, filter or text field may hold one, and PostgreSQL cannot compare text with
    one (it fails the query), so it is refused once, here, before any route runs.
    """
    if "\x00" in scope["path"]:
        return "URL path"
    if b"%00" in scope.get("query_string", b"") or b"\x00" in scope.get("query_string", b""):
        return "query string"
    if "form-urlencoded" in content_type.lower() and (b"%00" in body or b"\x00" in body):
        return "form body"
    if is_json_body(content_type, body):
        text = as_utf8(body)
        if b"\x00" in text or _JSON_NUL.search(text):
            return "JSON body"
    return None


class ApiMiddleware:
    """Give every request our own id, cap the body's size and its JSON nesting depth."""

    def __init__(self, app: ASGIApp, max_body_bytes: int,
                 max_json_depth: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_json_depth = max_json_depth or get_settings().max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        ids = self._identify(scope, headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send, ids)
            return
        try:
            body = await self._read_body(receive)
        except BodyTooLarge:
            await self._too_large(send, ids)
            return
        if body is None:
            return
        where = nul_in_request(scope, headers.get("content-type", ""), body)
        if where:
            await _problem(send, 400, ids, title="Bad request", detail=(
                f"The {where} contains a NUL character, which no field may hold."))
            return
        if (is_json_body(headers.get("content-type", ""), body)
                and json_too_deep(as_utf8(body), self.max_json_depth)):
            await _problem(send, 400, ids, title="Bad request", detail=(
                f"The JSON body is nested more than {self.max_json_depth} levels deep."))
            return
        await self.app(scope, _replay(body, receive), _with_ids(send, ids))

    @staticmethod
    def _identify(scope: Scope, headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
        """Our own request id (always new), the client's kept apart; their response headers."""
        request_id = new_request_id()
        offered = headers.get("x-request-id", "")
        client_id = offered if _SAFE_ID.fullmatch(offered) else None
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state["client_request_id"] = client_id
        ids = [(b"x-request-id", request_id.encode())]
        if client_id:
            ids.append((b"x-client-request-id", client_id.encode()))
        return ids

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body (BodyTooLarge past the cap), or None if the client went away."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, send: Send, ids: list[tuple[bytes, bytes]]) -> None:
        """413; the connection closes, since the rest of the body is never read."""
        await _problem(send, 413, ids, title="Payload too large", close=True,
                       detail=f"The request body exceeds {self.max_body_bytes} bytes.")


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the buffered body once, then defers to the server's."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _with_ids(send: Send, ids: list[tuple[bytes, bytes]]) -> Send:
    """A `send` that adds the request id headers to the response."""

    async def send_with_ids(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *ids]
        await send(message)

    return send_with_ids


async def _problem(send: Send, status: int, ids: list[tuple[bytes, bytes]], *, title: str,
                   detail: str, close: bool = False) -> None:
    """Answer with a problem+json document, before the application has run."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail, "request_id": ids[0][1].decode()}).encode()
    headers = [(b"content-type", b"application/problem+json"),
               (b"content-length", str(len(body)).encode()), *ids]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
