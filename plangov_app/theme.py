"""The app's theme: Radix Themes, its stylesheets imported piece by piece from assets/."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import reflex as rx

# In cascade order, as Radix Themes' own styles.css has them; radix-themes/base.css
# leaves out the root's :has() rule (see the file for why).
STYLESHEETS = ["/radix-themes/colors.css", "/radix-themes/base.css",
               "/radix-themes/components.css", "/plangov.css"]


@dataclasses.dataclass
class RadixThemesFromAssets(rx.plugins.RadixThemesPlugin):
    """Radix Themes whose CSS comes from the app's STYLESHEETS instead of styles.css."""

    def get_stylesheet_paths(self, **context: Any) -> Sequence[str]:
        """None: the app lists the theme's stylesheets itself (STYLESHEETS)."""
        return ()


def radix_themes() -> RadixThemesFromAssets:
    """The plugin with PlanGov's theme (indigo on slate)."""
    return RadixThemesFromAssets(
        theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium"))
