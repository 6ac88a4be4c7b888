"""The theme's stylesheets: Radix Themes from assets/, without the root :has() rule that made
every element added to the page restyle all of it (the session dialog's opening cost)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ALGORITHM, ROOT, sign_in
from tests.browser.test_athlete_review import _api

pytestmark = pytest.mark.browser

INSTALLED_BASE = ROOT / ".web" / "node_modules" / "@radix-ui" / "themes" / "tokens" / "base.css"
OUR_BASE = ROOT / "assets" / "radix-themes" / "base.css"
ROOT_HAS = (",\n  :root:where(:has(.radix-themes[data-is-root-theme='true']"
            ":where(.{0}, .{0}-theme)))")

# Every selector in the page's stylesheets whose subject is the root and that uses :has().
ROOT_HAS_SELECTORS_JS = """() => {
  const found = [];
  const visit = (rules) => { for (const rule of rules) {
    if (rule.cssRules) visit(rule.cssRules);
    const text = rule.selectorText;
    if (text && /:root[^,]*:has\\(/.test(text)) found.push(text);
  } };
  for (const sheet of document.styleSheets) visit(sheet.cssRules);
  return found;
}"""


def test_our_copy_of_the_base_tokens_is_the_installed_one_less_the_root_has_rule(app_url: str):
    installed = INSTALLED_BASE.read_text()
    for mode in ("light", "dark"):
        assert ROOT_HAS.format(mode) in installed
        installed = installed.replace(ROOT_HAS.format(mode), "")
    ours = OUR_BASE.read_text()
    assert ours.endswith(installed) and ours.startswith("/*")


def test_the_theme_is_styled_and_a_dialog_does_not_restyle_the_page(page: Page, app_url: str):
    coach = _api(app_url, "coach1@demo.test")
    athlete_id = coach.get("/users/me").json()["subject_scope"]["athlete_ids"][0]
    plan = coach.post("/plans", json={"athlete_id": athlete_id, "start_date": "2027-03-01",
                                      "weeks": 4, "algorithm": ALGORITHM}).json()
    sign_in(page, app_url, "coach1@demo.test")
    page.goto(f"{app_url}/plans/{plan['id']}")
    edit = page.get_by_role("button", name=re.compile(r"^Edit ")).first
    expect(edit).to_be_visible()
    assert page.evaluate(ROOT_HAS_SELECTORS_JS) == []
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "light"
    accent = page.evaluate("getComputedStyle(document.querySelector('.radix-themes'))"
                           ".getPropertyValue('--accent-9').trim()")
    assert accent == "#3e63dd"  # indigo, from the colour scales we import
    edit.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    # The scroll lock sets its variable on <body>; registered as not inherited, it stays there.
    assert page.evaluate("document.body.hasAttribute('data-scroll-locked')")
    inside = page.evaluate("""() => {
      document.body.style.setProperty('--removed-body-scroll-bar-size', '7px');
      return getComputedStyle(document.querySelector('[role=dialog]'))
        .getPropertyValue('--removed-body-scroll-bar-size');
    }""")
    assert inside == "0px"
