"""Browser journeys: Playwright driving the machine's Chromium against Django's live server.

Every page a journey visits is checked with axe-core (vendored in e2e/vendor)
for WCAG 2.2 AA; a violation fails the test with the rule and the elements.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not chromium_path():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but Chromium is not installed (apt-get install chromium)")
        pytest.skip("needs Chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Visitor:
    """A person in the browser. `check()` runs axe-core on the page as it is now."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.checked = []

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def sign_in(self, email: str, password: str = "correct-horse-battery"):
        """Sign in through the form (the factories' password by default); checks both pages."""
        page = self.go("/account/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        self.check()
        return page

    def check(self):
        page = self.page
        page.wait_for_load_state("load")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
        ARTIFACTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.name[:60]}-{len(self.checked):02d}-{page.title().lower()[:30]}")
        page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(n["target"][0] for n in v["nodes"][:3])
            for v in result["violations"]
        ]
        self.checked.append(page.url)
        assert not problems, f"Accessibility violations on {page.url}:\n" + "\n".join(problems)
        # Nothing scrolls the page sideways, at any width: a wide table scrolls inside its own region.
        width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= viewport, f"{page.url} is {width} px wide in a {viewport} px window:\n" + "\n".join(
            page.evaluate(STICKING_OUT)
        )


# The elements whose right edge passes the window's, to say what widened a page.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.children.length)
  .slice(0, 5)
  .map(el => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)} px`)"""

# A phone as staff and leads use it: the width of a common handset, in portrait.
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_visitor(browser, live_server, request):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visitor(page, live_server.url, "phone-" + request.node.name)
    context.close()


@pytest.fixture
def visitor(browser, live_server, request):
    # The site's content security policy forbids inline scripts; axe-core is injected as one.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visitor(page, live_server.url, request.node.name)
    context.close()
