"""The app in headless chromium: the live path in the page (and its fallback to the server), the sliders, the lesson
on sampling and the comparison."""
import base64
import re

import numpy as np
import pytest
import torch
from playwright.sync_api import Page, expect

from ae.checks import parse_drawing
from ae.export import load_exported
from ae.inference import load_assets, measure, reconstruct
from ae.strokes import PREPARE_TOLERANCE, drawing_to_input, prepare_strokes
from drawn_digits import drawn_digits
from recording import in_page, open_app, recorded, reset_recorder, shown, wait_quiet

SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)]  # a 7 as one stroke, in fractions of the canvas
CANVAS = "#canvas .ae-draw"
Z = range(10)


@pytest.fixture(scope="module")
def spaces():
    return load_assets().spaces  # the weights the server reads: it inherits AE_WEIGHTS


# ---- reading the page ----

def slider_values(page: Page) -> list[float]:
    return [float(page.input_value(f"#z{i} input[type=number]")) for i in Z]


def slider_ranges(page: Page) -> list[tuple[float, float]]:
    return [(float(page.get_attribute(f"#z{i} input[type=range]", "min")),
             float(page.get_attribute(f"#z{i} input[type=range]", "max"))) for i in Z]


def page_state(page: Page, expression: str):
    """A value from the page's shared store, e.g. "state.drawing"."""
    return in_page(page, f"const {{ state }} = await mod('store.js'); return {expression};")


def ink(page: Page) -> int:
    """How many pixels of the drawing canvas hold ink."""
    return page.eval_on_selector(CANVAS, """(c) => {
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) n += d[i] > 128;
        return n;
    }""")


def assert_no_error_toast(page: Page) -> None:
    page.wait_for_timeout(300)  # a toast shows a moment after a failed response
    toasts = page.locator(".toast-body")
    assert toasts.count() == 0, f"error toast shown: {toasts.all_inner_texts()}"


def wait_painted(page: Page, figure: str, after: float = -1.0) -> None:
    page.wait_for_function("([id, t]) => window.__rec.paints.some((p) => p.id === id && p.t > t)",
                           arg=[figure, after], timeout=15_000)


# ---- acting on the page ----

def clear(page: Page) -> None:
    page.click("#canvas .ae-clear")
    expect(page.locator("#model-input")).to_contain_text("nothing to reconstruct")


def slide_key(page: Page, i: int, key: str) -> None:
    page.focus(f"#z{i} input[type=range]")
    page.keyboard.press(key)


# ---- the core loop, with the models in the page and on the server ----

def test_the_previews_follow_the_stroke_and_the_sliders_take_its_code(live_page, draw, spaces):
    page = live_page
    clear(page)
    reset_recorder(page)
    draw(CANVAS, SEVEN[:-1], duration_s=2.0, flick_to=SEVEN[-1])  # the 7's stem drawn fast at the end
    wait_quiet(page, 600)
    rec = recorded(page)
    (down,), (up,) = rec["downs"], rec["ups"]
    recon = [p["t"] for p in rec["paints"] if p["id"] == "reconstruction"]
    assert [t for t in recon if down < t < up], "the reconstruction never changed during the 2 s stroke"
    assert [t for t in recon if t > up], "the reconstruction did not change after pointer-up"

    # what the model sees and its reconstruction are the server's preparation and torch's models on the same strokes
    x = drawing_to_input(parse_drawing(page_state(page, "JSON.stringify(state.drawing)")))  # (1, 1, 28, 28)
    ae = spaces["ae"]
    assert np.abs(shown(page, "#model-input") - x[0, 0]).max() <= 0.5 / 255 + 1e-6
    code, expected = reconstruct(ae, x)
    assert np.abs(shown(page, "#reconstruction") - expected).max() <= 1 / 255 + 1e-6
    expect(page.locator("#reconstruction figcaption")).to_contain_text("MSE")

    assert np.allclose(slider_values(page), np.clip(code, ae.lo, ae.hi), atol=0.005 + 1e-4), \
        "the sliders do not hold the drawing's code"
    expect(page.locator("#decoded figcaption")).to_contain_text("autoencoder")
    assert_no_error_toast(page)


def test_dragging_a_slider_redraws_the_decoded_digit_as_it_moves(live_page):
    page = live_page
    track = page.locator("#z3 input[type=range]").bounding_box()
    y = track["y"] + track["height"] / 2
    x0, x1 = track["x"] + 0.1 * track["width"], track["x"] + 0.9 * track["width"]
    if slider_values(page)[3] > sum(slider_ranges(page)[3]) / 2:  # drag away from where the thumb is
        x0, x1 = x1, x0
    before = shown(page, "#decoded")
    reset_recorder(page)
    page.mouse.move(x0, y)
    page.mouse.down()
    for k in range(1, 31):
        page.mouse.move(x0 + (x1 - x0) * k / 30, y)
        page.wait_for_timeout(30)
    page.mouse.up()
    wait_quiet(page)
    rec = recorded(page)
    decoded = [p["t"] for p in rec["paints"] if p["id"] == "decoded"]
    assert sum(t < rec["ups"][0] for t in decoded) >= 5, "the decoder did not follow the drag"
    assert not np.array_equal(shown(page, "#decoded"), before)
    lo, hi = slider_ranges(page)[3]
    assert abs(slider_values(page)[3] - (lo + (hi - lo) * (0.9 if x1 > x0 else 0.1))) < 0.1 * (hi - lo)


def test_clear_and_undo_work_on_strokes(live_page, draw):
    page = live_page
    assert ink(page) > 0, "the page should start with an example digit on the canvas"
    clear(page)
    assert ink(page) == 0 and shown(page, "#reconstruction") is None
    expect(page.locator("#canvas .ae-clear")).to_be_disabled()
    expect(page.locator("#sliders .ae-back")).to_be_disabled()  # no drawing, no code to go back to
    box = [sum(r) / 2 for r in slider_ranges(page)]
    assert np.allclose(slider_values(page), box, atol=0.006), "after Clear the sliders should sit at the box's centre"

    draw(CANVAS, [(0.3, 0.15), (0.3, 0.85)])  # a vertical line
    wait_quiet(page)
    one = shown(page, "#model-input")
    draw(CANVAS, [(0.1, 0.5), (0.9, 0.5)])  # then a horizontal one
    wait_quiet(page)
    assert not np.array_equal(shown(page, "#model-input"), one)
    assert len(page_state(page, "state.drawing.strokes")) == 2
    page.click("#canvas .ae-undo")
    wait_quiet(page)
    assert np.array_equal(shown(page, "#model-input"), one), "after Undo the model should see the first stroke alone"
    page.click("#canvas .ae-undo")
    expect(page.locator("#model-input")).to_contain_text("nothing to reconstruct")
    expect(page.locator("#canvas .ae-undo")).to_be_disabled()
    assert ink(page) == 0
    assert_no_error_toast(page)


def test_a_code_far_outside_the_data_lights_the_meter(live_page):
    page = live_page
    expect(page.locator("#meter")).not_to_have_class(re.compile(r"\bwarn\b"))  # a real digit is among the data
    for i in range(6):
        slide_key(page, i, "End")
    expect(page.locator("#meter")).to_have_class(re.compile(r"\bwarn\b"))
    expect(page.locator("#meter")).to_contain_text("off the data")
    assert [round(v, 2) for v in slider_values(page)[:6]] == [round(hi, 2) for _, hi in slider_ranges(page)[:6]]


def test_every_model_reconstructs_the_drawing_and_the_sliders_can_drive_the_vae(live_page, draw):
    page = live_page
    clear(page)
    reset_recorder(page)
    draw(CANVAS, SEVEN)
    for name in ("ae", "vae", "pca"):
        wait_painted(page, f"compare-{name}")
    captions = page.locator("#compare figcaption").all_inner_texts()
    assert [c.split(" · ")[0] for c in captions] == ["autoencoder", "VAE", "PCA"], captions
    assert all(re.search(r"MSE \d+\.\d{4}$", c) for c in captions), captions

    ae_ranges = slider_ranges(page)
    page.check("#sliders input[value=vae]")
    expect(page.locator("#decoded figcaption")).to_contain_text("VAE")
    expect(page.locator("#reconstruction figcaption")).to_contain_text("by the VAE")  # the preview follows the choice
    assert slider_ranges(page) != ae_ranges, "the sliders kept the autoencoder's ranges"
    reset_recorder(page)
    slide_key(page, 2, "PageUp")
    wait_painted(page, "decoded")
    expect(page.locator("#decoded figcaption")).to_contain_text("VAE")
    assert_no_error_toast(page)


# ---- the page against the server's Python, on the same inputs ----

def test_the_page_prepares_a_drawing_as_the_server_does(app_page):
    drawings = [[np.round(np.array(s) * 280, 1).tolist() for s in d.strokes] for d in drawn_digits(60, seed=3)]
    drawings += [[[[40.5, 40.5]]], [[[10, 10], [10, 10.5]], [[200, 250]]]]  # a tap; a tiny stroke and a tap
    prepared = in_page(app_page, """const { prepare } = await mod('prepare.js');
        return arg.map((strokes) => Array.from(prepare({ strokes })));""", drawings)
    worst = max(np.abs(np.array(p).reshape(28, 28) - prepare_strokes([np.array(s, float) for s in d])).max()
                for p, d in zip(prepared, drawings))
    assert worst <= PREPARE_TOLERANCE, f"page and server prepare a drawing {worst:.2e} apart"


def test_the_models_in_the_page_agree_with_torch(app_page, spaces, mnist):
    images = mnist.test_images[:16].numpy()
    drawings = [{"image": base64.b64encode(x.tobytes()).decode()} for x in images]
    out = in_page(app_page, """const { reconstruct } = await mod('engine.js');
        const all = [];
        for (const d of arg) {
          const r = await reconstruct(d, ['ae', 'vae', 'pca']);
          all.push(Object.fromEntries(Object.entries(r.results).map(([k, v]) =>
            [k, [Array.from(v.code), Array.from(v.recon)]])));
        }
        return all;""", drawings)
    x = torch.from_numpy(images / 255).float()[:, None]
    for name, s in spaces.items():
        model = load_exported(s.spec)
        with torch.no_grad():
            z = model.encode(x)
            recon = model.decode(z).clamp(0, 1).numpy().reshape(16, 784)
            z = z.numpy()
        assert np.abs(np.array([o[name][0] for o in out]) - z).max() <= 1e-4, name
        assert np.abs(np.array([o[name][1] for o in out]) - recon).max() <= 1e-4, name


def test_the_meter_in_the_page_agrees_with_the_server(app_page, spaces):
    g = torch.Generator().manual_seed(0)
    for name, s in spaces.items():
        codes = s.lo + (s.hi - s.lo) * torch.rand(12, 10, generator=g).numpy()  # in the box, near and far
        codes = np.concatenate([codes, s.meter_codes[:3]]).astype(np.float32)
        got = in_page(app_page, """const { decode } = await mod('engine.js');
            const out = [];
            for (const z of arg.codes) out.push((await decode(arg.space, z)).meter);
            return out;""", {"space": name, "codes": codes.tolist()})
        for z, m in zip(codes, got):
            want = measure(s, z)
            assert m["digit"] == want.digit and m["percentile"] == want.percentile and m["warn"] == want.warn
            assert m["distance"] == pytest.approx(want.distance, rel=1e-6, abs=1e-9)


# ---- the controls ----

def test_keys_step_a_slider_by_a_share_of_its_range_and_the_number_box_keeps_to_it(app_page):
    page = app_page
    (lo, hi), v = slider_ranges(page)[4], slider_values(page)[4]
    slide_key(page, 4, "Home")
    assert slider_values(page)[4] == pytest.approx(round(lo, 2), abs=0.006)
    slide_key(page, 4, "ArrowRight")
    assert slider_values(page)[4] == pytest.approx(lo + 0.02 * (hi - lo), abs=0.006)
    slide_key(page, 4, "PageUp")
    assert slider_values(page)[4] == pytest.approx(lo + 0.12 * (hi - lo), abs=0.006)
    box = page.locator("#z4 input[type=number]")
    box.fill("99")
    box.press("Enter")
    assert slider_values(page)[4] == pytest.approx(round(hi, 2), abs=0.006)
    assert float(page.input_value("#z4 input[type=range]")) == pytest.approx(hi, abs=1e-6)
    expect(page.locator("#sliders .ae-slider-note")).to_contain_text("z4 goes from")
    page.click("#z4 .reset")  # back to the drawing's value
    assert slider_values(page)[4] == pytest.approx(v, abs=0.006)
    expect(page.locator("#z4 .reset")).to_be_disabled()
    assert_no_error_toast(page)


def test_an_example_goes_on_the_canvas_and_undo_brings_it_back(app_page, draw, mnist):
    page = app_page
    page.locator("#examples .ae-example").nth(3).click()
    expect(page.locator("#reconstruction figcaption")).to_contain_text("MSE")
    digit = mnist.test_images[int(np.flatnonzero(mnist.test_labels.numpy() == 3)[0])].numpy() / 255
    page.wait_for_function("() => true")
    wait_quiet(page)
    assert np.abs(shown(page, "#model-input") - digit).max() <= 0.5 / 255 + 1e-9, \
        "the model should see the test digit itself"
    assert ink(page) > 1000
    draw(CANVAS, SEVEN)
    wait_quiet(page)
    assert not np.array_equal(shown(page, "#model-input"), digit)
    page.click("#canvas .ae-undo")
    wait_quiet(page)
    assert np.abs(shown(page, "#model-input") - digit).max() <= 0.5 / 255 + 1e-9


# ---- the lesson: sampling ----

def test_sampling_fills_the_grid_and_marks_the_samples_on_the_map(app_page):
    page = app_page
    page.click("#sample")
    expect(page.locator("#grid .cell")).to_have_count(16)
    captions = page.locator("#grid .cell figcaption").all_inner_texts()
    assert all(re.fullmatch(r"✓ [0-9]|✗ not digit-like", c) for c in captions), captions
    hovers = [page.locator("#grid .cell").nth(i).get_attribute("title") for i in range(16)]
    # a check mark only among real digits (realism score >= 1), and the judge's confidence on hover
    assert all(re.fullmatch(r"realism score \d+\.\d\d .* with confidence [01]\.\d\d", h) for h in hovers), hovers
    assert all((c[0] == "✓") == (float(h.split()[2]) >= 1) for c, h in zip(captions, hovers)), (captions, hovers)
    expect(page.locator("#grid .grid-title")).to_contain_text("land among real digits")
    expect(page.locator("#latent-map path.sample")).to_have_count(16)
    first = page.locator("#grid").inner_html()
    choice = page.locator("#strategy label").last  # another strategy than the default
    name = choice.inner_text().strip()
    choice.click()
    page.click("#sample")
    expect(page.locator("#grid .grid-title")).to_contain_text(name)
    assert page.locator("#grid").inner_html() != first
    page.locator("#sampling").scroll_into_view_if_needed()  # for the screenshot


def test_prior_samples_and_interpolation_show_both_models(app_page):
    page = app_page
    page.click("#prior")
    expect(page.locator("#prior-ae .cell")).to_have_count(16)
    expect(page.locator("#prior-vae .cell")).to_have_count(16)
    page.click("#interpolate")  # from the drawing (the example on the canvas) to a test digit
    strips = page.locator("#interpolation .strip")
    expect(strips).to_have_count(2)
    assert [strips.nth(k).locator("img").count() for k in range(2)] == [9, 9]
    page.locator("#interpolation").scroll_into_view_if_needed()


# ---- the fallback ----

# the runtime, or the autoencoder's decoder (its layer export and the plain export it falls back to)
@pytest.mark.parametrize("blocked", ["ort-wasm-simd-threaded.wasm", "ae_decoder*.onnx"])
def test_a_file_that_fails_to_load_sends_the_page_to_the_server(page, app_url, draw, blocked):
    page.route(f"**/{blocked}", lambda route: route.fulfill(status=404, body="gone"))
    open_app(page, app_url)
    notice = page.locator("#canvas .ae-mode")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("The models run on the server")
    if blocked.endswith(".onnx"):
        expect(notice).to_contain_text(blocked.replace("*", ""))
    clear(page)
    draw(CANVAS, SEVEN)
    expect(page.locator("#reconstruction figcaption")).to_contain_text("MSE")
    expect(page.locator("#compare-vae figcaption")).to_contain_text("MSE")


def test_another_models_file_that_fails_sends_that_model_alone_to_the_server(page, app_url, draw):
    page.route("**/vae_decoder.onnx", lambda route: route.fulfill(status=404, body="gone"))
    asked = []  # (route, the spaces it runs) of each request to the server's live routes
    page.on("request", lambda r: "/live/" in r.url and asked.append(
        (r.url.rsplit("/", 1)[-1], r.post_data_json.get("spaces") or [r.post_data_json["space"]])))
    open_app(page, app_url)
    expect(page.locator("#canvas .ae-mode")).to_have_text(
        "The VAE runs on the server, not in this page: vae_decoder.onnx did not load (HTTP 404).")
    assert in_page(page, "return (await (await mod('engine.js')).ready).mode;") == "page"

    clear(page)
    reset_recorder(page)
    draw(CANVAS, SEVEN)
    for name in ("ae", "vae", "pca"):
        wait_painted(page, f"compare-{name}")
        expect(page.locator(f"#compare-{name} figcaption")).to_contain_text("MSE")
    assert ("reconstruct", ["vae"]) in asked, "the VAE's reconstruction did not come from the server"
    page.check("#sliders input[value=vae]")
    expect(page.locator("#decoded figcaption")).to_contain_text("decoded by the VAE")
    assert ("decode", ["vae"]) in asked, "the VAE's decoder ran in the page"
    page.check("#sliders input[value=ae]")
    slide_key(page, 2, "PageUp")
    expect(page.locator("#decoded figcaption")).to_contain_text("decoded by the autoencoder")
    assert all(spaces == ["vae"] for _, spaces in asked), f"the server ran other models than the VAE: {asked}"
    assert_no_error_toast(page)


def test_the_models_run_in_the_page_without_a_notice(app_page):
    expect(app_page.locator("#canvas .ae-mode")).to_be_hidden()
    assert in_page(app_page, "return (await (await mod('engine.js')).ready).mode;") == "page"


# ---- the page as a whole ----

def test_the_page_asks_no_other_host(app_page, draw):
    page = app_page
    clear(page)
    draw(CANVAS, SEVEN)
    page.click("#sample")
    expect(page.locator("#grid .cell")).to_have_count(16)
    page.click("#prior")
    expect(page.locator("#prior-vae .cell")).to_have_count(16)
    assert page.foreign_requests == [], page.foreign_requests


def test_the_core_loop_fits_a_workshop_screen(app_page):
    page = app_page
    assert page.evaluate("scrollY") == 0
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    parts = [CANVAS, "#canvas .ae-undo", "#canvas .ae-clear", "#model-input canvas", "#reconstruction canvas",
             "#decoded canvas", *[f"#z{i} input[type=range]" for i in Z], *[f"#z{i} input[type=number]" for i in Z]]
    for sel in parts:
        box = page.locator(sel).bounding_box()
        assert box is not None, f"{sel} is not shown"
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and \
            box["y"] + box["height"] <= height, f"{sel} at {box} is not inside the {width}x{height} screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


# ---- what a newcomer runs into ----

def test_keys_move_the_ring_on_the_map(app_page):
    def ring():
        return app_page.eval_on_selector("#latent-map circle.current",
                                         "c => [c.getAttribute('cx'), c.getAttribute('cy')]")

    before = ring()
    slide_key(app_page, 0, "PageUp")
    slide_key(app_page, 1, "PageDown")
    assert ring() != before, "the map's ring stayed put while keys moved the sliders"


def test_a_focused_slider_shows_it(app_page):
    app_page.focus("#z3 input[type=range]")
    app_page.keyboard.press("ArrowLeft")  # focus from the keyboard, as :focus-visible wants
    style = app_page.eval_on_selector("#z3 input[type=range]",
                                      "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]")
    assert style[0] != "none" and float(style[1].rstrip("px")) >= 2, style


def test_clear_leaves_the_canvas_its_size(app_page):
    before = app_page.locator(CANVAS).bounding_box()
    clear(app_page)
    assert app_page.locator(CANVAS).bounding_box() == before


def test_a_drawing_unlike_a_digit_gets_a_note(app_page, draw):
    page = app_page
    clear(page)
    for stroke in ([(0.1, 0.1), (0.9, 0.9)], [(0.9, 0.1), (0.1, 0.9)]):  # an X
        draw(CANVAS, stroke)
    expect(page.locator("#canvas .ae-unusual")).to_be_visible()
    expect(page.locator("#canvas .ae-unusual")).to_contain_text("Unlike the digits the autoencoder learned from")
    clear(page)
    draw(CANVAS, SEVEN)
    expect(page.locator("#reconstruction figcaption")).to_contain_text("MSE")
    wait_quiet(page)
    expect(page.locator("#canvas .ae-unusual")).to_be_hidden()


def test_interpolating_from_a_cleared_canvas_says_so_in_place(app_page):
    clear(app_page)
    app_page.click("#interpolate")
    expect(app_page.locator("#interpolation")).to_contain_text("There is no drawing to start from")
    assert_no_error_toast(app_page)


def test_the_buttons_show_they_are_working(page, app_url):
    from recording import open_app
    open_app(page, app_url)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 800, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    page.click("#sample")
    expect(page.locator("#grid [data-testid=status-tracker] .progress-text")).to_be_visible(timeout=600)
    expect(page.locator("#grid .cell")).to_have_count(16, timeout=10_000)
