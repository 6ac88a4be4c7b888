"""The telemetry bus: a Redis stream when REDIS_URL is set, else a JSON-lines file."""

from __future__ import annotations

from plangov_app.adapters.files import JsonLinesSink
from plangov_app.services.outbox import Sink
from plangov_app.settings import get_settings


class RedisStreamSink:
    """Publish to a Redis stream (`plangov:events`), when REDIS_URL is configured."""

    def __init__(self, url: str, stream: str = "plangov:events") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.stream = stream

    def __call__(self, topic: str, payload_json: str) -> None:
        """XADD one message."""
        self.client.xadd(self.stream, {"topic": topic, "payload": payload_json},
                         maxlen=1_000_000, approximate=True)


def default_sink() -> Sink:
    """Redis when REDIS_URL is set, else the JSON-lines file of the settings."""
    settings = get_settings()
    if settings.redis_url:
        return RedisStreamSink(settings.redis_url)
    return JsonLinesSink(str(settings.telemetry_file))
