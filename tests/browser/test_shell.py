"""Each role signs in and sees its navigation; refusals; logout; phone; admin and audit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.browser

NAVIGATION = {
    "admin@demo.test": ("/admin/users", ["Plans", "Users & roles", "Audit", "Experiments",
                                         "Flags"]),
    "coach1@demo.test": ("/plans", ["Pending Plans"]),
    "athlete1@demo.test": ("/plans", ["My Plans", "My profile"]),
    "support@demo.test": ("/plans", ["Plans"]),
    "compliance@demo.test": ("/audit", ["Audit"]),
    "ds@demo.test": ("/welcome", ["Overview", "Experiments", "Flags"]),
}
ALL_LINKS = {"Pending Plans", "My Plans", "My profile", "Plans", "Users & roles", "Audit",
             "Overview", "Experiments", "Flags"}


@pytest.mark.parametrize("email", list(NAVIGATION))
def test_each_role_lands_on_its_page_with_its_navigation(page: Page, app_url: str, email: str):
    landing, links = NAVIGATION[email]
    sign_in(page, app_url, email)
    expect(page).to_have_url(re.compile(re.escape(app_url + landing) + "/?$"))
    nav = page.get_by_role("navigation", name="Main")
    for name in links:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for name in ALL_LINKS - set(links):
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_count(0)
    if email == "athlete1@demo.test":  # their own profile, where they note goals and injuries
        nav.get_by_role("link", name="My profile").click()
        expect(page).to_have_url(re.compile(r"/athletes/[0-9a-f-]+/?$"))
        expect(page.get_by_role("heading", name="Athlete 1", exact=True)).to_be_visible()
    if email == "coach1@demo.test":
        expect(page.get_by_role("heading", name="Pending Plans")).to_be_visible()
        expect(page.get_by_role("row").nth(1)).to_be_visible()
        screenshot(page, "plans-coach.png")


def test_wrong_password_is_refused_with_a_clear_message(page: Page, app_url: str):
    page.goto(f"{app_url}/login")
    screenshot(page, "login.png")
    page.get_by_label("Email").fill("coach2@demo.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Incorrect email or password.")
    expect(page).to_have_url(re.compile(r"/login/?$"))


@pytest.mark.parametrize(("email", "path"), [("coach1@demo.test", "/admin/users"),
                                             ("athlete1@demo.test", "/audit"),
                                             ("compliance@demo.test", "/plans")])
def test_a_page_of_another_role_is_refused(page: Page, app_url: str, email: str, path: str):
    sign_in(page, app_url, email)
    page.goto(app_url + path)
    expect(page.get_by_text("You don't have access to this page")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)


def test_signed_out_visitors_are_sent_to_login(page: Page, app_url: str):
    page.goto(f"{app_url}/plans")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_logout_ends_the_session(page: Page, app_url: str):
    sign_in(page, app_url, "coach1@demo.test")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.goto(f"{app_url}/plans")
    expect(page).to_have_url(re.compile(r"/login"))


def test_admin_changes_a_role_and_compliance_sees_it_audited(page: Page, app_url: str,
                                                            browser):
    sign_in(page, app_url, "admin@demo.test")
    page.get_by_label("Search name or email").fill("athlete24@")
    row = page.get_by_role("row").filter(has_text="athlete24@demo.test")
    expect(row).to_have_count(1)
    expect(page.get_by_role("row")).to_have_count(2)
    screenshot(page, "admin-users.png")
    row.get_by_role("button", name="Edit athlete24@demo.test").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Role").click()
    page.get_by_role("option", name="support").click()
    dialog.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("Athlete 24 is now support.")).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(row.get_by_text("support", exact=True)).to_be_visible()

    other = browser.new_context(viewport={"width": 1280, "height": 800})
    audit_page = other.new_page()
    sign_in(audit_page, app_url, "compliance@demo.test")
    audit_page.get_by_label("Action").fill("role.change")
    audit_page.get_by_role("button", name="Apply").click()
    change = audit_page.get_by_role("row").filter(has_text="role.change")
    expect(change.first).to_contain_text("admin@demo.test")
    expect(change.first).to_contain_text("Role: athlete → support")
    audit_page.get_by_role("button", name="Clear").click()
    audit_page.get_by_role("button", name="Verify chain").click()
    expect(audit_page.get_by_role("status").filter(has_text="Audit chain intact")).to_be_visible()
    screenshot(audit_page, "audit.png")
    other.close()


def test_athlete_on_a_phone(phone: Page, app_url: str):
    sign_in(phone, app_url, "athlete1@demo.test")
    expect(phone.get_by_role("heading", name="My Plans")).to_be_visible()
    card = phone.get_by_role("link", name=re.compile(r"^Plan \d\d \w\w\w( \d{4})? – "))
    expect(card.first).to_be_visible()  # a card per plan: its dates and status in words
    expect(phone.get_by_label("Search athlete")).to_have_count(0)
    expect(phone.get_by_role("table")).to_have_count(0)
    expect(phone.get_by_text(re.compile("Algorithm|Experiment arm"))).to_have_count(0)
    card.first.click()
    expect(phone).to_have_url(re.compile(r"/plans/.+/review/?$"))
    expect(phone.get_by_text("Version ", exact=False).first).to_be_visible()
    expect(phone.get_by_text(re.compile("Algorithm|Experiment arm|Generator"))).to_have_count(0)
    phone.go_back()
    expect(phone.get_by_role("heading", name="My Plans")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    screenshot(phone, "phone-athlete.png")
    phone.get_by_role("button", name="Open menu").click()
    expect(phone.get_by_role("menuitem", name="My Plans")).to_be_visible()
    phone.get_by_role("menuitem", name="Log out").click()
    expect(phone).to_have_url(re.compile(r"/login/?$"))
