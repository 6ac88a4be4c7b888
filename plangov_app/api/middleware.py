"""ASGI middleware for `/api/` paths: a request id on every response, a body size cap."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plangov_app.services.context import new_request_id

API_PREFIX = "/api/"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(Exception):
    """The client sent more than the configured maximum."""


class ApiMiddleware:
    """Attach `X-Request-ID` and refuse bodies over `max_body_bytes` with 413."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        offered = headers.get("x-request-id", "")
        request_id = offered if _SAFE_ID.match(offered) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(send, request_id)
            return
        await self._guarded(scope, receive, send, request_id)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, counting_receive, send_with_id)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, request_id)

    async def _too_large(self, send: Send, request_id: str) -> None:
        body = json.dumps({
            "type": "about:blank", "title": "Payload too large", "status": 413,
            "detail": f"The request body exceeds {self.max_body_bytes} bytes.",
            "request_id": request_id,
        }).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode())]})
        await send({"type": "http.response.body", "body": body})
