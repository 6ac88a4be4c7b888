"""Reflex configuration: app name, database URL from settings, telemetry off."""

import reflex as rx

from plangov_app.settings import get_settings
from plangov_app.theme import radix_themes

config = rx.Config(
    app_name="plangov_app",
    db_url=get_settings().database_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[radix_themes()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
