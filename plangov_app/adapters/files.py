"""File sinks: the telemetry bus stand-in that writes JSON lines."""

from __future__ import annotations


class JsonLinesSink:
    """A telemetry bus stand-in: one JSON object per line in a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __call__(self, topic: str, payload_json: str) -> None:
        """Append one message."""
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(payload_json + "\n")
