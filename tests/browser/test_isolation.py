"""Two people at once: each sees the results of their own drawing and their own samples, never the other's."""
import base64
import io
import math
import re
import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from ae.checks import parse_drawing
from ae.inference import load_assets, reconstruct
from ae.strokes import drawing_to_input
from conftest import MODES
from recording import in_page, shown

CANVAS = "#canvas .ae-draw"
TIMEOUT_MS = 20_000
ONE = [[(0.5, 0.12), (0.5, 0.88)], [(0.38, 0.25), (0.5, 0.12)]]  # a "1": the stem, then the flag
# a "0": two halves
ZERO = [[(0.5 + 0.28 * math.sin(math.pi * t / 20), 0.5 - 0.38 * math.cos(math.pi * t / 20)) for t in range(21)],
        [(0.5 - 0.28 * math.sin(math.pi * t / 20), 0.5 + 0.38 * math.cos(math.pi * t / 20)) for t in range(21)]]


@pytest.fixture(scope="module")
def assets():
    return load_assets()  # the weights the server reads: it inherits AE_WEIGHTS


def open_two(browser: Browser, url: str) -> tuple[list, list[Page]]:
    contexts = [browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(2)]
    pages = []
    for context in contexts:
        p = context.new_page()
        p.goto(url)
        p.wait_for_selector("#reconstruction:not(.empty)", timeout=TIMEOUT_MS)
        p.locator("#canvas .ae-clear").click()  # the canvas starts with an example digit
        pages.append(p)
    return contexts, pages


@pytest.fixture(params=list(MODES))
def two_pages(request, browser: Browser, app_url: str):
    """Two users in separate browser contexts, the models in their pages or (second run) on the server."""
    contexts, pages = open_two(browser, app_url + MODES[request.param])
    yield pages
    for context in contexts:
        context.close()


def strokes_together(pages: list[Page], paths: list[list[tuple[float, float]]], duration_s: float = 0.6) -> None:
    """Each page draws its path at the same time as the others: their pointer moves alternate, frame by frame."""
    boxes = [p.locator(CANVAS).bounding_box() for p in pages]
    points = [[(b["x"] + fx * b["width"], b["y"] + fy * b["height"]) for fx, fy in path]
              for b, path in zip(boxes, paths)]
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


def own_drawing(page: Page) -> str:
    """The drawing this page holds, as it sends it."""
    return in_page(page, "const { state } = await mod('store.js'); return JSON.stringify(state.drawing);")


def png(src: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("L")) / 255


def test_two_users_drawing_at_once_each_see_their_own_results(two_pages, assets):
    a, b = two_pages
    for stroke_a, stroke_b in zip(ONE, ZERO):  # both strokes of both digits, drawn at the same time
        strokes_together([a, b], [stroke_a, stroke_b])
    ae = assets.spaces["ae"]
    own = {}
    for page in (a, b):
        page.wait_for_function("() => document.querySelector('#reconstruction figcaption').textContent.includes('MSE')")
        page.wait_for_timeout(500)
        x = drawing_to_input(parse_drawing(own_drawing(page)))  # what the server makes of this user's strokes
        own[page] = x, reconstruct(ae, x)[1][0]
    assert not np.array_equal(own[a][0], own[b][0]), "the two drawings should differ"
    for page, other in ((a, b), (b, a)):
        recon = shown(page, "#reconstruction")
        assert np.abs(recon - own[page][1]).max() <= 1 / 255 + 1e-6, "the reconstruction is not of this user's drawing"
        assert np.abs(recon - own[other][1]).max() > 0.1

    # the server keeps each user's own drawing: interpolation starts from it
    for page in (a, b):
        page.click("#interpolate")
        page.wait_for_function("() => document.querySelectorAll('#interpolation .strip img').length === 18",
                               timeout=TIMEOUT_MS)
    for page, other in ((a, b), (b, a)):
        first = png(page.locator("#interpolation .strip").first.locator("img").first.get_attribute("src"))
        assert np.abs(first - own[page][1]).max() <= 1 / 255 + 1e-6, "interpolation began from another drawing"


def samples_on_map(page: Page) -> list[str]:
    return page.locator("#latent-map svg path.sample").evaluate_all("els => els.map(e => e.getAttribute('d'))")


def seed_of(page: Page) -> str:
    page.wait_for_function("() => /seed \\d+/.test(document.querySelector('#grid').textContent)", timeout=TIMEOUT_MS)
    return re.search(r"seed (\d+)", page.locator("#grid").text_content()).group(1)


def test_each_user_sees_only_their_own_samples(browser, app_url):
    contexts, (a, b) = open_two(browser, app_url)
    a.click("#sample")
    seed_a = seed_of(a)
    a.wait_for_function("() => document.querySelectorAll('#latent-map svg path.sample').length === 16",
                        timeout=TIMEOUT_MS)
    b.wait_for_timeout(500)
    assert "press Sample" in b.locator("#grid").text_content(), "B's grid changed when A sampled"
    assert samples_on_map(b) == [], "A's samples appeared on B's latent map"
    b.click("#sample")
    seed_b = seed_of(b)
    b.wait_for_function("() => document.querySelectorAll('#latent-map svg path.sample').length === 16",
                        timeout=TIMEOUT_MS)
    assert seed_a != seed_b
    assert seed_of(a) == seed_a, "A's grid changed when B sampled"
    assert samples_on_map(a) != samples_on_map(b)
    for context in contexts:
        context.close()
