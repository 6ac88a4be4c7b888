"""Words people read for codes the domain stores (statuses), for pages and components."""

from __future__ import annotations

from plangov_app.services import status

STATUS_LABELS: dict[str, str] = dict(status.LABELS)
status_label = status.label
