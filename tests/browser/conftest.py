"""Browser-test fixtures: app.py served on a free local port, Debian's chromium driven by playwright."""
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from app_server import serve_app
from recording import open_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package (apt-get install chromium); never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    # every test in this folder is a browser test, so `-m "not browser"` skips them all without a decorator
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The URL of app.py, started once for the whole session; afterwards, its log must hold no traceback."""
    with serve_app() as served:
        yield served.url
        log = served.output()
    assert "Traceback" not in log, f"the server's log holds a traceback:\n{log[-4000:]}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)", pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def is_foreign(url: str) -> bool:
    """True for a network request that leaves this machine (data: and blob: URLs stay in the page)."""
    u = urlparse(url)
    return u.scheme in ("http", "https", "ws", "wss") and u.hostname not in LOCAL_HOSTS


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh 1366x768 page; page.foreign_requests lists every URL it asked of a non-local host."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    p = context.new_page()
    p.foreign_requests = []
    p.on("request", lambda r: is_foreign(r.url) and p.foreign_requests.append(r.url))
    p.on("websocket", lambda ws: is_foreign(ws.url) and p.foreign_requests.append(ws.url))
    yield p
    if not p.is_closed():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)  # test_x[a b] -> test_x_a_b_
        p.screenshot(path=SCREENSHOTS / f"{name}.png")
    context.close()


def point_along(xy: list[tuple[float, float]], t: float) -> tuple[float, float]:
    """The point a fraction t in [0, 1] of the way along the polyline xy, by vertex count."""
    k = t * (len(xy) - 1)
    i = min(int(k), len(xy) - 2)
    (x0, y0), (x1, y1) = xy[i], xy[i + 1]
    return x0 + (k - i) * (x1 - x0), y0 + (k - i) * (y1 - y0)


def draw_stroke(page: Page, selector: str, points: list[tuple[float, float]], *, duration_s: float = 0.3,
                flick_to: tuple[float, float] | None = None, pause_ms: float = 16) -> None:
    """Press, follow points (fractions of the element's box, (0, 0) = top left) for duration_s, release.

    flick_to: a last point reached in one move just before the release, as a quick end of a stroke: what it
    draws cannot have been sent and answered before the release, so the final update differs from the ones before.
    pause_ms: a wait after each move; each move itself takes about a display frame.
    """
    page.locator(selector).scroll_into_view_if_needed()  # the mouse reaches only what is on the screen
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not visible"
    assert len(points) >= 2, "a stroke needs at least two points"
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    if flick_to is not None:
        xy.append((box["x"] + flick_to[0] * box["width"], box["y"] + flick_to[1] * box["height"]))
    page.mouse.move(*xy[0])
    page.mouse.down()
    start = time.monotonic()
    paced = xy[:-1] if flick_to is not None else xy
    while (t := (time.monotonic() - start) / duration_s) < 1:  # paced by the clock: slow moves don't stretch it
        page.mouse.move(*point_along(paced, t))
        if pause_ms:
            page.wait_for_timeout(pause_ms)  # time.sleep would stall playwright
    page.mouse.move(*paced[-1])
    if flick_to is not None:
        page.mouse.move(*xy[-1])
    page.mouse.up()


@pytest.fixture
def draw(page: Page):
    """draw(selector, points, duration_s=0.3, flick_to=None): a mouse stroke on this test's page (see draw_stroke)."""
    return lambda selector, points, **kw: draw_stroke(page, selector, points, **kw)


@pytest.fixture
def app_page(page: Page, app_url: str) -> Iterator[Page]:
    """The app loaded in this test's page with the recorder; afterwards, no request may have left this machine."""
    open_app(page, app_url)
    yield page
    assert page.foreign_requests == [], f"the page asked other hosts: {page.foreign_requests}"


MODES = {"page": "", "server": "?models=server"}  # the models run in the page, or on the server (the fallback)


@pytest.fixture(params=list(MODES))
def live_page(request: pytest.FixtureRequest, page: Page, app_url: str) -> Iterator[Page]:
    """app_page twice: with the models in the page, then with the page's fallback to the server's live routes."""
    open_app(page, app_url + MODES[request.param])
    page.mode = request.param
    yield page
    assert page.foreign_requests == [], f"the page asked other hosts: {page.foreign_requests}"
