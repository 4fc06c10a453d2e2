"""The page for a keyboard and a screen reader: axe-core finds nothing serious on the three screens, the strategy
choice is one tab stop driven by the arrow keys, the planes move with the arrow keys, every picture says what it
shows."""
import hashlib

import pytest
from playwright.sync_api import Browser, Page

from conftest import ROOT
from recording import RECORDER_JS

AXE = ROOT / "ui" / "vendor" / "axe-core"
SCREENS = {"laptop": (dict(viewport={"width": 1366, "height": 768}), ""),
           "phone": (dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                          device_scale_factor=2), ""),
           "presenter": (dict(viewport={"width": 1024, "height": 576}), "?present")}


def axe_source() -> str:
    """ui/vendor/axe-core/axe.min.js, if it matches its recorded SHA-256."""
    sums = dict(reversed(line.split("  ")) for line in (AXE / "SHA256SUMS").read_text().splitlines())
    data = (AXE / "axe.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == sums["axe.min.js"], "axe.min.js does not match SHA256SUMS"
    return data.decode()


@pytest.fixture(params=list(SCREENS))
def screen(request, browser: Browser, app_url: str):
    options, query = SCREENS[request.param]
    context = browser.new_context(**options)
    page = context.new_page()
    page.add_init_script(RECORDER_JS)
    page.goto(app_url + query)
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.click("#sample")  # so the grid and the map's crosses are there, as in use
    page.wait_for_selector("#grid .cell")
    # the parts below the fold load as they come near: every one of them loaded, so none changes under axe
    page.locator("#planes").scroll_into_view_if_needed()
    page.wait_for_selector(".ae-plane .map[tabindex]")
    page.locator("#replay").scroll_into_view_if_needed()
    page.wait_for_selector("#replay .ae-replay-scrub:not([disabled])", timeout=30_000)
    page.name = request.param
    yield page
    context.close()


def test_axe_finds_nothing_serious(screen: Page):
    screen.evaluate(axe_source())
    violations = screen.evaluate("""async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id + " (" + v.impact + "): " + v.nodes.map((n) => n.target.join(" ")).join(", "))""")
    assert violations == [], f"on the {screen.name}: {violations}"


def test_every_picture_says_what_it_shows(screen: Page):
    unnamed = screen.evaluate("""() => [...document.querySelectorAll("canvas, img")]
        .filter((e) => e.getBoundingClientRect().width > 0 && !e.closest("button[aria-label], [aria-hidden=true]"))
        .filter((e) => !(e.tagName === "IMG" ? e.alt
                         : e.getAttribute("role") === "img" && e.getAttribute("aria-label")))
        .map((e) => e.outerHTML.slice(0, 120))""")
    assert unnamed == []


def tab_stops(page: Page, selector: str, presses: int = 8) -> list[str]:
    """Where Tab lands on the way out of selector's first input: the value of each stop still inside it."""
    page.focus(f"{selector} input:checked")
    stops = []
    for _ in range(presses):
        inside = page.evaluate(f"document.activeElement.closest('{selector}') !== null")
        if not inside:
            break
        stops.append(page.evaluate("document.activeElement.value"))
        page.keyboard.press("Tab")
    return stops


def test_the_strategy_choice_is_one_tab_stop_with_arrow_keys(app_page: Page):
    assert tab_stops(app_page, "#strategy") == ["normal"]
    app_page.focus("#strategy input:checked")
    app_page.keyboard.press("ArrowDown")
    assert app_page.evaluate("document.activeElement.value") == "uniform"
    assert tab_stops(app_page, "#strategy") == ["uniform"], "the group kept one tab stop after the choice changed"
    app_page.click("#sample")
    app_page.wait_for_function("document.querySelector('#grid .grid-title').textContent.startsWith('uniform')")


def test_the_planes_move_with_the_arrow_keys(app_page: Page):
    app_page.locator("#planes").scroll_into_view_if_needed()  # they load as they come near the screen
    plane = app_page.locator(".ae-plane .map").first
    plane.focus()
    app_page.wait_for_selector(".ae-plane figure:not(.empty)")
    figure = app_page.locator(".ae-plane figure figcaption").first
    before = figure.inner_text()
    scroll = app_page.evaluate("scrollY")
    app_page.keyboard.press("ArrowRight")
    app_page.wait_for_function("(b) => document.querySelector('.ae-plane figure figcaption').textContent !== b",
                               arg=before)
    x0, y0 = map(float, before.strip("()").split(","))
    x1, y1 = map(float, figure.inner_text().strip("()").split(","))
    assert x1 > x0 and y1 == y0, (before, figure.inner_text())
    app_page.keyboard.press("ArrowUp")
    app_page.wait_for_function("() => !document.querySelector('.ae-plane figure figcaption')"
                               ".textContent.endsWith(', %.2f)')" % y1)
    assert float(figure.inner_text().strip("()").split(",")[1]) > y1, "up on the plane is a larger second number"
    assert app_page.evaluate("scrollY") == scroll, "the arrow keys scrolled the page"
