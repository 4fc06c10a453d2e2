"""Layout facts on a workshop laptop (1366x768), a phone (390x844, touch) and a projector (the presenter view at
1024x576): nothing overlaps, every example is whole, the decoded digit stays in sight of the sliders, a finger can draw,
and the presenter view holds the whole core loop on one screen in large text."""
import pytest
from playwright.sync_api import Browser, Page

from conftest import SCREENSHOTS
from recording import RECORDER_JS, recorded, reset_recorder, wait_quiet

SCREENS = {"laptop": dict(viewport={"width": 1366, "height": 768}),
           "phone": dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2),
           "presenter": dict(viewport={"width": 1024, "height": 576})}
QUERY = {"presenter": "?present"}
CORE = ["#canvas .ae-draw", "#model-input canvas", "#reconstruction canvas", *[f"#z{i}" for i in range(10)],
        "#decoded canvas", "#start-over"]
PRESENTER_TEXT_PX = 20
# the parts that must never cover one another: (selector, whether it may match several)
PARTS = ["#canvas .ae-draw", "#canvas .ae-undo", "#canvas .ae-clear", "#model-input", "#reconstruction", "#decoded",
         "#meter", *[f"#z{i}" for i in range(10)], "#sliders .ae-back", ".ae-example", "#sample", "#grid",
         "#latent-map .map", "#compare figure", "#prior", "#interpolate"]

BOXES_JS = """(selectors) => selectors.flatMap((sel) => [...document.querySelectorAll(sel)].map((e, i) => {
    const r = e.getBoundingClientRect();
    return { name: sel + "#" + i, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height };
}))"""


@pytest.fixture(params=list(SCREENS))
def screen(request, browser: Browser, app_url: str):
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    page.add_init_script(RECORDER_JS)
    page.goto(app_url + QUERY.get(request.param, ""))
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.click("#sample")  # so the grid is full, as in use
    page.wait_for_selector("#grid .cell")
    page.name = request.param
    yield page
    context.close()


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] - 0.5 and b["x"] < a["x"] + a["w"] - 0.5 and \
        a["y"] < b["y"] + b["h"] - 0.5 and b["y"] < a["y"] + a["h"] - 0.5


def test_no_part_covers_another_and_nothing_leaves_the_page(screen: Page):
    boxes = screen.evaluate(BOXES_JS, PARTS)
    width = screen.viewport_size["width"]
    assert len(boxes) >= len(PARTS) + 9 + 2, [b["name"] for b in boxes]  # ten examples, three compared models
    for b in boxes:
        assert b["w"] > 0 and b["h"] > 0, f"{b['name']} is not shown"
        assert b["x"] >= 0 and b["x"] + b["w"] <= width + 0.5, f"{b['name']} leaves the {width} px page: {b}"
    clashes = [(a["name"], b["name"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a, b)]
    assert clashes == [], f"on the {screen.name}, these overlap: {clashes}"
    assert screen.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def test_every_example_is_whole_and_the_previews_are_square(screen: Page):
    for tile in screen.evaluate(BOXES_JS, [".ae-example canvas"]):
        assert tile["w"] >= 40 and abs(tile["w"] - tile["h"]) < 0.5, f"example {tile} is cut or stretched"
    for figure in ("#model-input", "#reconstruction", "#decoded"):
        (box,) = screen.evaluate(BOXES_JS, [f"{figure} canvas"])
        assert abs(box["w"] - box["h"]) < 0.5 and box["w"] >= 100, f"{figure} is {box['w']}x{box['h']}"


def test_the_decoded_digit_is_in_sight_with_every_slider(screen: Page):
    screen.evaluate("() => document.querySelector('#decoded').scrollIntoView({ block: 'start' })")
    height = screen.viewport_size["height"]
    for sel in ["#decoded canvas", *[f"#z{i} input[type=range]" for i in range(10)]]:
        box = screen.locator(sel).bounding_box()
        assert box["y"] >= -1 and box["y"] + box["height"] <= height + 1, \
            f"on the {screen.name}, {sel} is out of sight with the decoded digit at the top ({box})"


def test_the_table_keeps_each_number_on_one_line(screen: Page):
    heights = screen.eval_on_selector_all("#table td:not(:first-child)",
                                          "els => els.map(e => e.getBoundingClientRect().height)")
    names = screen.eval_on_selector_all("#table td:first-child",
                                        "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and max(heights) <= max(names) + 0.5  # a number's cell is never taller than its row's name


def test_a_finger_draws_on_the_phone(browser: Browser, app_url: str):
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.add_init_script(RECORDER_JS)
    page.goto(app_url)
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.click("#canvas .ae-clear")
    box = page.locator("#canvas .ae-draw").bounding_box()
    scroll = page.evaluate("scrollY")
    cdp = context.new_cdp_session(page)
    reset_recorder(page)
    points = [(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.15 + 0.035 * i)) for i in range(21)]
    for kind, (x, y) in [("touchStart", points[0])] + [("touchMove", p) for p in points[1:]]:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    wait_quiet(page)
    assert page.evaluate("scrollY") == scroll, "the page scrolled under the finger"
    assert [p for p in recorded(page)["paints"] if p["id"] == "reconstruction"], \
        "the finger's stroke was not reconstructed"
    assert "MSE" in page.locator("#reconstruction figcaption").inner_text()
    context.close()


PHONE_TEXT_PX = 11  # the smallest text a phone may show


def test_the_table_splits_no_word_and_fits_the_phone(screen: Page):
    broken = screen.evaluate("""() => [...document.querySelectorAll("#table td, #table th")]
        .filter((cell) => cell.getBoundingClientRect().width > 0)
        .flatMap((cell) => [...cell.textContent.matchAll(/\\S+/g)].filter((m) => {
            const r = document.createRange(), text = cell.firstChild;
            if (!text || text.nodeType !== 3) return false;
            r.setStart(text, m.index); r.setEnd(text, m.index + m[0].length);
            return r.getClientRects().length > 1;  // a word drawn on two lines
        }).map((m) => m[0]))""")
    assert broken == [], f"on the {screen.name}, words split across lines: {broken}"
    box = screen.locator("#table table").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= screen.viewport_size["width"] + 0.5


def test_the_code_size_chart_text_is_readable(screen: Page):
    screen.locator("#bottleneck").scroll_into_view_if_needed()  # it loads as it comes near the screen
    screen.wait_for_selector("#bottleneck .ae-curves img[src]")
    px = screen.evaluate("""async () => {
        const img = document.querySelector("#bottleneck .ae-curves img");
        const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml")
          .documentElement;
        const sizes = [svg, ...svg.querySelectorAll("text")].map((e) => e.getAttribute("font-size")).filter(Boolean);
        const scale = img.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return Math.min(...sizes.map(Number)) * scale;
    }""")
    assert px >= PHONE_TEXT_PX, f"on the {screen.name}, the chart's smallest text is {px:.1f} px on screen"


def test_the_replay_curves_text_is_readable(screen: Page):
    screen.evaluate("() => document.querySelector('#replay').scrollIntoView()")
    screen.wait_for_selector("#replay .ae-replay-curves svg text", timeout=20_000)
    px = screen.evaluate("""() => {
        const svg = document.querySelector("#replay .ae-replay-curves svg");
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        const sizes = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize));
        return Math.min(...sizes) * scale;
    }""")
    assert px >= PHONE_TEXT_PX, f"on the {screen.name}, the replay curves' smallest text is {px:.1f} px on screen"


def touch_drag(page: Page, cdp, points: list[tuple[float, float]]) -> None:
    """One finger pressed at points[0], moved through the rest, lifted."""
    for kind, (x, y) in [("touchStart", points[0])] + [("touchMove", p) for p in points[1:]]:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_a_page_scroll_can_start_on_a_plane_and_a_tap_decodes(browser: Browser, app_url: str):
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.locator("#planes").scroll_into_view_if_needed()  # they load as they come near the screen
    page.wait_for_selector(".ae-plane .map[tabindex]", timeout=30_000)
    page.locator(".ae-plane .map").first.scroll_into_view_if_needed()
    page.evaluate("scrollBy(0, 200 - document.querySelector('.ae-plane .map').getBoundingClientRect().top)")
    box = page.locator(".ae-plane .map").first.bounding_box()
    cdp = context.new_cdp_session(page)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.8
    scroll = page.evaluate("scrollY")
    touch_drag(page, cdp, [(x, y - 12 * i) for i in range(16)])  # a finger pushes the page up
    page.wait_for_timeout(300)
    assert page.evaluate("scrollY") > scroll + 50, "a vertical drag that starts on a plane did not scroll the page"
    box = page.locator(".ae-plane .map").first.bounding_box()
    touch_drag(page, cdp, [(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)] * 2)  # a tap
    page.wait_for_selector(".ae-plane figure:not(.empty)")
    assert page.locator(".ae-plane figure figcaption").first.inner_text().startswith("(")
    context.close()


@pytest.fixture
def presenter(browser: Browser, app_url: str):
    context = browser.new_context(**SCREENS["presenter"])
    page = context.new_page()
    page.goto(app_url + "?present")
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.wait_for_selector("#decoded:not(.empty)")
    yield page
    context.close()


def test_the_presenter_view_holds_the_core_loop_in_large_text(presenter: Page):
    boxes = presenter.evaluate(BOXES_JS, CORE)
    assert len(boxes) == len(CORE)
    for b in boxes:  # the page is not scrolled: page and screen coordinates agree
        assert b["w"] > 0 and 0 <= b["x"] and b["x"] + b["w"] <= 1024.5 and 0 <= b["y"] and b["y"] + b["h"] <= 576.5, b
    clashes = [(a["name"], b["name"]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if overlap(a, b)]
    assert clashes == []
    small = presenter.evaluate("""(least) => [...document.querySelectorAll(".gradio-container *")].filter((e) => {
        const r = e.getBoundingClientRect();
        const text = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        return text && r.width > 0 && r.bottom > 0 && r.top < innerHeight
          && parseFloat(getComputedStyle(e).fontSize) < least;
    }).map((e) => e.tagName + "." + e.className + ": " + e.textContent.trim().slice(0, 30))""", PRESENTER_TEXT_PX)
    assert small == [], f"text under {PRESENTER_TEXT_PX} px on the presenter's screen"
    assert presenter.locator("#lesson p").first.is_hidden(), "the long text is not folded away"


def test_the_toggle_turns_the_presenter_view_off_and_on(presenter: Page):
    presenter.click("#present-toggle")
    assert presenter.evaluate("document.body.classList.contains('present')") is False
    assert "present" not in presenter.url
    presenter.click("#present-toggle")
    assert presenter.evaluate("document.body.classList.contains('present')") and presenter.url.endswith("?present")


def test_start_over_clears_the_drawing_the_sliders_and_every_output(presenter: Page):
    presenter.click("#sample")
    presenter.wait_for_selector("#grid .cell")
    presenter.locator("#z3 input[type=range]").focus()
    presenter.keyboard.press("PageUp")
    presenter.click("#start-over")
    presenter.wait_for_selector("#reconstruction.empty")
    assert presenter.locator("#model-input").evaluate("e => e.classList.contains('empty')")
    assert presenter.locator("#grid .cell").count() == 0 and "press Sample" in presenter.inner_text("#grid")
    assert presenter.locator("#latent-map .sample").count() == 0
    box = presenter.evaluate("() => [...document.querySelectorAll('.z input[type=range]')]"
                             ".map((r) => [+r.value, +r.min, +r.max])")
    assert all(abs(v - (lo + hi) / 2) < 1e-6 for v, lo, hi in box), "the sliders did not go back to their box's centre"


def test_each_strip_lies_under_its_own_track_on_the_screen(screen: Page):
    """Also the README's screenshots of the network and the strips (artifacts/screenshots/page-<screen>.png)."""
    screen.locator(".ae-example").nth(3).click()
    wait_quiet(screen, 300)
    if screen.name == "presenter":  # one screen for the core loop: the presenter says what the strips show
        assert screen.locator(".z .sweep:visible").count() == 0
        return
    width = screen.viewport_size["width"]
    for i in range(10):
        (track,) = screen.evaluate(BOXES_JS, [f"#z{i} input[type=range]"])
        strip = screen.evaluate(BOXES_JS, [f"#z{i} .sweep canvas"])
        assert len(strip) == 7 and all(c["w"] >= 14 and c["h"] == c["w"] for c in strip), strip
        assert track["x"] - 0.5 <= strip[0]["x"] and strip[-1]["x"] + strip[-1]["w"] <= track["x"] + track["w"] + 0.5
        assert all(0 < c["y"] - (track["y"] + track["h"]) < 8 for c in strip), f"z{i}'s strip is not under its track"
        assert track["x"] + track["w"] <= width
    target = "#network" if screen.name == "laptop" else "#sliders"
    screen.evaluate("(sel) => document.querySelector(sel).scrollIntoView({ block: 'start' })", target)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screen.screenshot(path=SCREENSHOTS / f"page-{screen.name}.png")
