"""The first visit's live path, announced: the page's HTML names every file the page needs before its first
reconstruction in a Link header, gradio's own scripts among them, so they load side by side while gradio starts; each
announced file is fetched once (the preload is the fetch), gradio's stylesheets come as one file, and a failed preload
leaves the page to fetch and fall back as it would without one."""
import re
import urllib.request

from recording import open_app

BELOW = {"bottleneck.json"}  # the code-size section and the planes read it as they mount: not needed to go live


def announced(url: str) -> list[str]:
    """The Link header's URLs, as paths relative to the page: ui/<version>/<name> and assets/<name>."""
    with urllib.request.urlopen(url, timeout=10) as r:
        link = r.headers["link"]
    return [re.sub(r"^ui/[0-9a-f]{12}/", "ui/", u) for u in re.findall(r"<([^>]+)>", link)]


def local(url: str) -> str:
    """A request's URL as announced() gives it."""
    path = url.split("/", 3)[3].split("?")[0]
    return re.sub(r"^ui/[0-9a-f]{12}/", "ui/", path)


def test_every_file_of_the_live_path_is_announced_and_fetched_once(page, app_url):
    names = announced(app_url)
    fetched = []
    page.on("request", lambda r: fetched.append(local(r.url)))
    open_app(page, app_url)
    live = list(fetched)  # everything asked for before the first reconstruction painted
    assert {"ui/bundle.js", "ui/ort.wasm.bundle.min.mjs", "ui/ort-wasm-simd-threaded.wasm", "ui/spaces.json",
            "ui/ae_encoder_layers.onnx", "ui/ae_decoder_layers.onnx"} <= set(names)
    assert any(re.fullmatch(r"assets/Blocks-\w+\.js", n) for n in names), "gradio's scripts are not announced"
    assert set(names) <= set(live), "a file announced that the live path does not use"
    assert all(live.count(n) == 1 for n in names), "an announced file was fetched twice: its preload went unused"
    code = {n for n in live if re.search(r"[.](m?js|onnx|wasm|bin|json)$", n) and n.startswith(("ui/", "assets/"))}
    assert code - {f"ui/{n}" for n in BELOW} <= set(names), "the live path fetched files it did not announce"


def test_gradios_stylesheets_come_as_one_file(page, app_url):
    styles = []
    page.on("request", lambda r: r.url.split("?")[0].endswith(".css") and styles.append(local(r.url)))
    open_app(page, app_url)
    page.wait_for_timeout(500)
    # the HTML's own stylesheet, the one made of those gradio's loader adds, and the theme
    assert len(styles) == 3 and {s.split("-")[0] for s in styles} == {"assets/index", "assets/first", "theme.css"}
    rules = page.evaluate("document.querySelector('link[href*=\"first-visit\"]').sheet.cssRules.length")
    stubs = page.evaluate("document.querySelectorAll('link[rel=stylesheet][disabled]').length")
    assert rules > 100 and stubs > 10, "gradio's stylesheets are not in the page as one file"


def test_gradios_stylesheets_load_one_by_one_if_the_one_file_fails(page, app_url):
    page.route("**/assets/first-visit-*.css", lambda route: route.fulfill(status=404))
    open_app(page, app_url)
    enabled = page.evaluate("""() => [...document.querySelectorAll('link[data-one]')]
        .filter((l) => !l.disabled && l.sheet && l.sheet.cssRules.length).length""")
    assert enabled == page.evaluate("document.querySelectorAll('link[data-one]').length") > 10
    assert page.evaluate("getComputedStyle(document.querySelector('#sample')).borderRadius") != "0px"


def test_a_preload_that_fails_leaves_the_page_working(page, app_url, draw):
    page.route("**/ae_meter.bin", lambda route: route.fulfill(status=404))  # announced, then missing
    open_app(page, app_url)
    draw("#canvas .ae-draw", [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    assert page.locator("#z0 input[type=range]").count() == 1


def test_what_lies_below_the_fold_loads_as_it_is_scrolled_to(page, app_url):
    fetched = []
    page.on("request", lambda r: fetched.append(local(r.url)))
    open_app(page, app_url)
    page.wait_for_timeout(1500)
    below = {"ui/ae_figure.png", "ui/ae_map.png", "ui/bottleneck.json", "ui/ae_d2_plane.png", "ui/replay.json"}
    assert not below & set(fetched), "a first visit loaded what lies below the fold"
    for part in ("#figure", "#latent-map", "#bottleneck", "#planes"):
        page.locator(part).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
    page.wait_for_function("() => document.querySelector('#figure img').complete "
                           "&& document.querySelector('#figure img').naturalWidth > 0", timeout=10_000)
    assert below - {"ui/replay.json"} <= set(fetched)
