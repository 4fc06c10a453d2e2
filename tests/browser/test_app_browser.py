"""The app in headless chromium: the live drawing loop, the sliders, the lesson on sampling and the comparison."""
import base64
import io
import json
import re
import urllib.request

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from recording import recorded, reset_recorder, wait_quiet

SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)]  # a 7 as one stroke, in fractions of the canvas
CANVAS = "#canvas canvas"
Z = range(10)


# ---- reading the page ----

def img_srcs(page: Page, selector: str) -> list[str]:
    """The src of every shown <img> under selector (not in an .empty figure), in document order."""
    return page.eval_on_selector_all(f"{selector} img", "els => els.filter(e => !e.closest('.empty'))"
                                     ".map(e => e.getAttribute('src'))")


def wait_srcs_change(page: Page, selector: str, old: list[str], *, count: int = 1,
                     timeout: float = 10_000) -> list[str]:
    """Wait until selector holds at least count images whose srcs differ from old; return them."""
    page.wait_for_function("""([sel, old, count]) => {
        const s = [...document.querySelectorAll(sel + " img")].filter(e => !e.closest(".empty"))
            .map(e => e.getAttribute("src"));
        return s.length >= count && (s.length !== old.length || s.some((src, i) => src !== old[i]));
    }""", arg=[selector, old, count], timeout=timeout)
    return img_srcs(page, selector)


def slider_values(page: Page) -> list[float]:
    return [float(page.input_value(f"#z{i} input[type=number]")) for i in Z]


def slider_ranges(page: Page) -> list[tuple[float, float]]:
    return [(float(page.get_attribute(f"#z{i} input[type=range]", "min")),
             float(page.get_attribute(f"#z{i} input[type=range]", "max"))) for i in Z]


def wait_sliders(page: Page, expected: list[float], *, tol: float = 1e-4) -> None:
    """Wait until the ten slider number inputs hold expected."""
    try:
        page.wait_for_function("""([want, tol]) => want.every((v, i) =>
            Math.abs(parseFloat(document.querySelector("#z" + i + " input[type=number]").value) - v) <= tol)""",
                               arg=[expected, tol], timeout=10_000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the sliders hold {slider_values(page)}, not {expected}") from None


def ink(page: Page, points: list[tuple[float, float]] | None = None) -> list[int] | int:
    """The canvas's grey level (0 black .. 255 white ink) at each point (fractions), or without points its count of
    inked pixels."""
    return page.eval_on_selector(CANVAS, """(c, points) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const at = ([fx, fy]) => d[4 * (Math.floor(fy * c.height) * c.width + Math.floor(fx * c.width))];
        if (points) return points.map(at);
        let n = 0;
        for (let i = 0; i < d.length; i += 4) n += d[i] > 128;
        return n;
    }""", points)


def pixels_of(src: str) -> list[list[float]]:
    """A data:image/png URI of a greyscale digit as rows of numbers in [0, 1]."""
    png = base64.b64decode(src.split(",", 1)[1])
    return (np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64) / 255).tolist()


def call_api(url: str, name: str, *args) -> list:
    """POST to the app's public API endpoint /gradio_api/run/<name>; its first output."""
    req = urllib.request.Request(f"{url}gradio_api/run/{name}", json.dumps({"data": list(args)}).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)["data"][0]


def assert_no_error_toast(page: Page) -> None:
    page.wait_for_timeout(300)  # a toast shows a moment after the failed response
    toasts = page.locator(".toast-body")
    assert toasts.count() == 0, f"error toast shown: {toasts.all_inner_texts()}"


# ---- acting on the page ----

def clear(page: Page) -> None:
    page.click("#canvas .ae-clear")
    expect(page.locator("#model-input")).to_contain_text("nothing to reconstruct")


def slide_key(page: Page, i: int, key: str) -> None:
    """Focus slider zi's range input and press a key: Arrow*, Home or End fire `input` like a drag step."""
    page.focus(f"#z{i} input[type=range]")
    page.keyboard.press(key)


def away_key(page: Page, i: int) -> str:
    """End or Home, whichever moves slider zi farther from its current value."""
    (lo, hi), v = slider_ranges(page)[i], slider_values(page)[i]
    return "End" if hi - v >= v - lo else "Home"


# ---- the core loop ----

def test_reconstruction_follows_the_stroke_and_the_sliders_take_its_code(app_page, draw, app_url):
    page = app_page
    clear(page)
    before = slider_values(page)
    reset_recorder(page)
    draw(CANVAS, SEVEN[:-1], duration_s=2.0, flick_to=SEVEN[-1])  # the 7's stem drawn fast at the end
    wait_quiet(page, 600)
    rec = recorded(page)
    (down,), (up,) = rec["downs"], rec["ups"]
    recon = [c["t"] for c in rec["changes"] if c["id"] == "reconstruction" and c["src"]]
    during = [t for t in recon if down < t < up]
    after = [t for t in recon if t > up]
    assert during, f"the reconstruction never changed during the 2 s stroke (changes at {recon}, up at {up:.0f} ms)"
    assert after, f"the reconstruction did not change after pointer-up ({up:.0f} ms; changes at {recon})"

    code = slider_values(page)
    ranges = slider_ranges(page)
    assert code != before, "the sliders kept the old code"
    assert all(lo <= z <= hi for z, (lo, hi) in zip(code, ranges)), f"slider values {code} outside {ranges}"
    # the sliders hold the code of what the model sees: the public encode API on #model-input's image agrees
    # (the image is rounded to 8 bits, so the codes agree closely, not exactly)
    expected = call_api(app_url, "encode", pixels_of(img_srcs(page, "#model-input")[0]))
    expected = [min(max(z, lo), hi) for z, (lo, hi) in zip(expected, ranges)]  # the sliders stop at their range
    assert np.allclose(code, expected, atol=0.02 * max(hi - lo for lo, hi in ranges)), \
        f"sliders {np.round(code, 3)} are not the drawing's code {np.round(expected, 3)}"

    # move two sliders away, then Reset brings back the drawing's code
    for i in (0, 5):
        slide_key(page, i, away_key(page, i))
    page.wait_for_function("(v) => parseFloat(document.querySelector('#z5 input[type=number]').value) !== v",
                           arg=code[5])
    assert slider_values(page)[0] != code[0]
    page.click("#reset")
    wait_sliders(page, code)
    assert_no_error_toast(page)


def test_dragging_a_slider_redraws_the_decoded_digit_as_it_moves(app_page):
    page = app_page
    old = img_srcs(page, "#decoded")
    track = page.locator("#z3 input[type=range]").bounding_box()
    y = track["y"] + track["height"] / 2
    x0, x1 = track["x"] + 0.1 * track["width"], track["x"] + 0.9 * track["width"]
    if slider_values(page)[3] > sum(slider_ranges(page)[3]) / 2:  # drag away from where the thumb is
        x0, x1 = x1, x0
    reset_recorder(page)
    page.mouse.move(x0, y)
    page.mouse.down()
    for k in range(1, 31):  # about a second, a step per frame or two
        page.mouse.move(x0 + (x1 - x0) * k / 30, y)
        page.wait_for_timeout(30)
    page.mouse.up()
    wait_quiet(page)
    rec = recorded(page)
    decoded = [c for c in rec["changes"] if c["id"] == "decoded" and c["src"]]
    assert decoded and decoded[-1]["src"] != old[0], "the decoded image did not change"
    assert any(c["t"] < rec["ups"][0] for c in decoded), "the decoder only followed the release, not the drag"
    lo, hi = slider_ranges(page)[3]
    assert abs(slider_values(page)[3] - (lo + (hi - lo) * (0.9 if x1 > x0 else 0.1))) < 0.1 * (hi - lo)
    assert img_srcs(page, "#decoded") == [decoded[-1]["src"]]


def test_clear_empties_the_canvas_without_an_error(app_page):
    page = app_page
    assert ink(page) > 0, "the page should start with an example digit on the canvas"
    clear(page)
    assert ink(page) == 0, "Clear left ink on the canvas"
    assert img_srcs(page, "#model-input") == [] and img_srcs(page, "#reconstruction") == []
    expect(page.locator("#canvas .ae-clear")).to_be_disabled()
    assert_no_error_toast(page)


def test_undo_removes_the_last_stroke(app_page, draw):
    page = app_page
    clear(page)
    first, second = [(0.3, 0.15), (0.3, 0.85)], [(0.1, 0.5), (0.9, 0.5)]  # a vertical, then a horizontal line
    draw(CANVAS, first)
    wait_srcs_change(page, "#model-input", [])
    wait_quiet(page)  # the stroke's last update, not one sent while it was drawn
    one = img_srcs(page, "#model-input")
    draw(CANVAS, second)
    wait_srcs_change(page, "#model-input", one)
    wait_quiet(page)
    two = img_srcs(page, "#model-input")
    assert ink(page, [(0.3, 0.3), (0.7, 0.5)]) == [255, 255], "both strokes should be on the canvas"
    page.click("#canvas .ae-undo")
    assert ink(page, [(0.3, 0.3), (0.7, 0.5)]) == [255, 0], "Undo should remove the second stroke only"
    # and the model sees the first stroke alone again: the same picture as after it was drawn
    wait_srcs_change(page, "#model-input", two)
    wait_quiet(page)
    assert img_srcs(page, "#model-input") == one
    page.click("#canvas .ae-undo")
    assert ink(page) == 0
    expect(page.locator("#model-input")).to_contain_text("nothing to reconstruct")
    expect(page.locator("#canvas .ae-undo")).to_be_disabled()


def test_an_example_goes_on_the_canvas_and_is_reconstructed(app_page):
    page = app_page
    seen, recon = img_srcs(page, "#model-input"), img_srcs(page, "#reconstruction")
    canvas_before = page.eval_on_selector(CANVAS, "c => c.toDataURL()")
    page.locator("#examples .thumbnail-item").nth(3).click()
    assert wait_srcs_change(page, "#model-input", seen) != seen
    assert wait_srcs_change(page, "#reconstruction", recon) != recon
    assert page.eval_on_selector(CANVAS, "c => c.toDataURL()") != canvas_before, "the canvas still shows the old digit"
    assert ink(page) > 1000, "the example should fill a good part of the canvas"
    expect(page.locator("#reconstruction")).to_contain_text("MSE")


# ---- the lesson: sampling ----

def test_sampling_fills_the_grid_and_follows_the_strategy(app_page):
    page = app_page
    page.click("#sample")
    first = wait_srcs_change(page, "#grid", [], count=16)
    assert len(first) == 16 and page.locator("#grid .cell").count() == 16
    expect(page.locator("#grid .cell figcaption").first).to_have_text(re.compile(r"^[0-9?] · [01]\.\d\d$"))
    choice = page.locator("#strategy label").last  # another strategy than the default
    name = choice.inner_text().strip()
    choice.click()
    page.click("#sample")
    second = wait_srcs_change(page, "#grid", first, count=16)
    assert len(second) == 16 and second != first
    expect(page.locator("#grid .grid-title")).to_contain_text(name)
    # the crosses on the latent map are the sixteen samples
    expect(page.locator("#latent-map path.sample")).to_have_count(16)
    page.locator("#sampling").scroll_into_view_if_needed()  # for the screenshot


def test_a_code_far_outside_the_data_lights_the_meter(app_page):
    page = app_page
    expect(page.locator("#meter")).not_to_have_class(re.compile(r"\bwarn\b"))  # a real digit is among the data
    old = img_srcs(page, "#decoded")
    for i in range(6):
        slide_key(page, i, "End")
    wait_srcs_change(page, "#decoded", old)
    wait_quiet(page)
    assert [round(v, 2) for v in slider_values(page)[:6]] == [hi for _, hi in slider_ranges(page)[:6]]
    expect(page.locator("#meter")).to_have_class(re.compile(r"\bwarn\b"))
    expect(page.locator("#meter")).to_contain_text("off the data")
    assert_no_error_toast(page)


# ---- beyond: VAE and PCA ----

def test_every_model_reconstructs_the_drawing_and_the_sliders_can_drive_the_vae(app_page, draw):
    page = app_page
    old = img_srcs(page, "#compare")
    clear(page)
    draw(CANVAS, SEVEN)
    srcs = wait_srcs_change(page, "#compare", old, count=3)
    assert len(srcs) == 3 and len(set(srcs) & set(old)) == 0
    captions = page.locator("#compare figcaption").all_inner_texts()
    assert [c.split(" · ")[0] for c in captions] == ["autoencoder", "VAE", "PCA"], captions
    assert all(re.search(r"MSE \d+\.\d{4}$", c) for c in captions), captions
    page.locator("#compare").scroll_into_view_if_needed()

    ae_ranges = slider_ranges(page)
    page.click("#space input[value=vae]")
    expect(page.locator("#decoded figcaption")).to_contain_text("VAE")
    assert slider_ranges(page) != ae_ranges, "the sliders kept the autoencoder's ranges"
    old = img_srcs(page, "#decoded")
    slide_key(page, 2, away_key(page, 2))
    assert wait_srcs_change(page, "#decoded", old) != old
    expect(page.locator("#decoded figcaption")).to_contain_text("VAE")
    assert_no_error_toast(page)


def test_prior_samples_and_interpolation_show_both_models(app_page):
    page = app_page
    page.click("#prior")
    assert len(wait_srcs_change(page, "#prior-ae", [], count=16)) == 16
    assert len(wait_srcs_change(page, "#prior-vae", [], count=16)) == 16
    page.click("#interpolate")  # from the drawing (the example on the canvas) to a test digit
    wait_srcs_change(page, "#interpolation", [], count=18)
    strips = page.locator("#interpolation .strip")
    expect(strips).to_have_count(2)
    assert [strips.nth(k).locator("img").count() for k in range(2)] == [9, 9]
    page.locator("#interpolation").scroll_into_view_if_needed()


# ---- the page as a whole ----

def test_the_page_asks_no_other_host(app_page, draw):
    page = app_page
    clear(page)
    draw(CANVAS, SEVEN)
    wait_srcs_change(page, "#reconstruction", [])
    page.click("#sample")
    wait_srcs_change(page, "#grid", [], count=16)
    page.click("#prior")
    wait_srcs_change(page, "#prior-vae", [], count=16)
    assert page.foreign_requests == [], page.foreign_requests


def test_the_core_loop_fits_a_workshop_screen(app_page):
    page = app_page
    assert page.evaluate("scrollY") == 0
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    parts = [CANVAS, "#canvas .ae-undo", "#canvas .ae-clear", "#model-input img", "#reconstruction img", "#decoded img",
             *[f"#z{i} input[type=range]" for i in Z], *[f"#z{i} input[type=number]" for i in Z]]
    for sel in parts:
        box = page.locator(sel).bounding_box()
        assert box is not None, f"{sel} is not shown"
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and \
            box["y"] + box["height"] <= height, f"{sel} at {box} is not inside the {width}x{height} screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
