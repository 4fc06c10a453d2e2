"""Two people at once: each sees the results of their own drawing and their own samples, never the other's."""
import base64
import io
import json
import math
import re
import time

import numpy as np
import pytest
import torch
from PIL import Image
from playwright.sync_api import Browser, Page

from ae.canvas import canvas_to_input, parse_payload
from ae.images import to_data_uri
from ae.inference import clamp_to_box, decode, encode, load_assets

CANVAS = "#canvas canvas"
TIMEOUT_MS = 20_000
ONE = [[(0.5, 0.12), (0.5, 0.88)], [(0.38, 0.25), (0.5, 0.12)]]  # a "1": the stem, then the flag
ZERO = [[(0.5 + 0.28 * math.sin(math.pi * t / 20), 0.5 - 0.38 * math.cos(math.pi * t / 20)) for t in range(21)],  # a "0":
        [(0.5 - 0.28 * math.sin(math.pi * t / 20), 0.5 + 0.38 * math.cos(math.pi * t / 20)) for t in range(21)]]  # two halves


@pytest.fixture(scope="module")
def assets():
    return load_assets()  # the weights the server reads: it inherits AE_WEIGHTS


@pytest.fixture
def two_pages(browser: Browser, app_url: str):
    """Two users in separate browser contexts, each page with .draw_calls: the payloads it sent to `draw`."""
    contexts = [browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(2)]
    pages = []
    for context in contexts:
        p = context.new_page()
        p.draw_calls = []
        p.on("request", lambda r, p=p: record_draw(r, p.draw_calls))
        p.goto(app_url)
        p.wait_for_selector(CANVAS)
        p.locator("#canvas .ae-clear").click()  # the canvas starts with an example digit
        pages.append(p)
    yield pages
    for context in contexts:
        context.close()


def record_draw(request, calls: list) -> None:
    """Every drawing the page sends: each update to the live route, and the finished strokes to gradio's queue."""
    if request.url.endswith("/live/reconstruct"):
        calls.append(request.post_data)
    elif "/queue/join" in request.url and request.method == "POST":
        data = (request.post_data_json or {}).get("data") or []
        if data and isinstance(data[0], str) and data[0].startswith("{"):
            calls.append(data[0])


def strokes_together(pages: list[Page], paths: list[list[tuple[float, float]]], duration_s: float = 0.6) -> None:
    """Each page draws its path at the same time as the others: their pointer moves alternate, frame by frame."""
    boxes = [p.locator(CANVAS).bounding_box() for p in pages]
    points = [[(b["x"] + fx * b["width"], b["y"] + fy * b["height"]) for fx, fy in path] for b, path in zip(boxes, paths)]
    for p, xy in zip(pages, points):
        p.mouse.move(*xy[0])
        p.mouse.down()
    start = time.monotonic()
    while (t := (time.monotonic() - start) / duration_s) < 1:
        for p, xy in zip(pages, points):
            k = t * (len(xy) - 1)
            i = min(int(k), len(xy) - 2)
            (x0, y0), (x1, y1) = xy[i], xy[i + 1]
            p.mouse.move(x0 + (k - i) * (x1 - x0), y0 + (k - i) * (y1 - y0))
        pages[0].wait_for_timeout(16)
    for p, xy in zip(pages, points):
        p.mouse.move(*xy[-1])
        p.mouse.up()


def final_drawing(page: Page, quiet_s: float = 1.5) -> str:
    """The payload the page sent on its last pointer-up, once nothing more has been sent for quiet_s."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    count, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(page.draw_calls) != count:
            count, since = len(page.draw_calls), time.monotonic()
        elif count and json.loads(page.draw_calls[-1])["final"] and time.monotonic() - since >= quiet_s:
            return page.draw_calls[-1]
        page.wait_for_timeout(50)
    raise AssertionError(f"the page never finished sending its drawing ({len(page.draw_calls)} updates sent)")


def pixels(data_uri: str) -> np.ndarray:
    """A PNG data URI as a grey uint8 array."""
    assert data_uri.startswith("data:image/png;base64,"), data_uri[:80]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L"))


def shown(page: Page, selector: str) -> np.ndarray:
    return pixels(page.locator(f"{selector} img").get_attribute("src"))


def slider_values(page: Page) -> np.ndarray:
    return np.array([float(page.locator(f"#z{i} input[type=number]").input_value()) for i in range(10)])


def wait_for_image(page: Page, selector: str, expected: np.ndarray) -> None:
    """Until the page shows expected (28, 28) under selector; fails with what it shows instead."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        src = page.locator(f"{selector} img").get_attribute("src") or ""
        if src.startswith("data:image/png") and np.array_equal(pixels(src), expected):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} never showed this user's own drawing")


def test_two_users_drawing_at_once_each_see_their_own_results(two_pages, assets):
    a, b = two_pages
    for stroke_a, stroke_b in zip(ONE, ZERO):  # both strokes of both digits, drawn at the same time
        strokes_together([a, b], [stroke_a, stroke_b])
    ae = assets.spaces["ae"]
    own = {}
    for page in (a, b):
        last = parse_payload(final_drawing(page))
        x = canvas_to_input(last)  # (1, 1, 28, 28): what the server makes of this user's canvas
        wait_for_image(page, "#model-input", image_of(x))
        own[page] = x, clamp_to_box(encode(ae.model, x), ae)
    (xa, za), (xb, zb) = own[a], own[b]
    assert not torch.equal(xa, xb), "the two drawings should differ"
    for page, (x, z), other in ((a, own[a], zb), (b, own[b], za)):
        sliders = slider_values(page)
        assert np.allclose(sliders, z.numpy(), atol=0.011), f"sliders {sliders} are not this user's code {z}"
        assert not np.allclose(sliders, other.numpy(), atol=0.011), "the sliders show the other user's code"
        recon = shown(page, "#reconstruction").astype(int)
        expected = image_of(decode(ae.model, encode(ae.model, x))).astype(int)
        assert np.abs(recon - expected).max() <= 2, "the reconstruction is not of this user's drawing"


def image_of(x: torch.Tensor) -> np.ndarray:
    """The pixels of the app's PNG of an image in [0, 1] of 28x28 values, (28, 28) uint8."""
    return pixels(to_data_uri(x.reshape(1, 28, 28)))


def samples_on_map(page: Page) -> list[str]:
    return page.locator("#latent-map svg path.sample").evaluate_all("els => els.map(e => e.getAttribute('d'))")


def seed_of(page: Page) -> str:
    page.wait_for_function("() => /seed \\d+/.test(document.querySelector('#grid').textContent)", timeout=TIMEOUT_MS)
    return re.search(r"seed (\d+)", page.locator("#grid").text_content()).group(1)


def test_each_user_sees_only_their_own_samples(two_pages):
    a, b = two_pages
    a.click("#sample")
    seed_a = seed_of(a)
    a.wait_for_function("() => document.querySelectorAll('#latent-map svg path.sample').length === 16", timeout=TIMEOUT_MS)
    b.wait_for_timeout(500)
    assert "press Sample" in b.locator("#grid").text_content(), "B's grid changed when A sampled"
    assert samples_on_map(b) == [], "A's samples appeared on B's latent map"
    b.click("#sample")
    seed_b = seed_of(b)
    b.wait_for_function("() => document.querySelectorAll('#latent-map svg path.sample').length === 16", timeout=TIMEOUT_MS)
    assert seed_a != seed_b
    assert seed_of(a) == seed_a, "A's grid changed when B sampled"
    assert samples_on_map(a) != samples_on_map(b)
