"""The first visit's live path, announced: the page's HTML names every file the page needs before its first
reconstruction in a Link header, gradio's own scripts among them, so they load side by side while gradio starts; each
announced file is fetched once (the preload is the fetch), gradio's stylesheets come as one file, and a failed preload
leaves the page to fetch and fall back as it would without one. The sliders' other spaces (the VAE, PCA) are neither
announced nor fetched before that reconstruction, only after, and what lies below the fold loads as it is scrolled
to."""
import re
import urllib.request

from playwright.sync_api import Page, expect

from recording import in_page, open_app

# The files (ui/<version>/... and gradio's assets/...) whose fetch began before the first reconstruction was painted,
# on the clock the recorder's paints are timed by; a fetch begun right after that paint is not on the live path.
BEFORE_FIRST_RECONSTRUCTION = """() => {
  const painted = window.__rec.paints.find((p) => p.id === "reconstruction").t;
  return performance.getEntriesByType("resource").filter((e) => e.startTime < painted).map((e) => e.name);
}"""
# The files of every space but the sliders' first one, as spaces.json lists them.
OTHER_SPACES_FILES = """const { state } = await mod('store.js');
  return Object.entries(state.data.spaces).filter(([name]) => name !== state.data.space)
    .flatMap(([, s]) => Object.values(s.files).map((f) => 'ui/' + f));"""


def local(url: str) -> str:
    """A URL as a path relative to the page, without its version: ui/<name>, assets/<name>, theme.css."""
    path = url.split("/", 3)[3].split("?")[0]
    return re.sub(r"^ui/[0-9a-f]{12}/", "ui/", path)


def announced(url: str) -> list[str]:
    """The Link header's URLs, as local() gives them."""
    with urllib.request.urlopen(url, timeout=10) as r:
        link = r.headers["link"]
    return [local(f"{url}{u}") for u in re.findall(r"<([^>]+)>", link)]


def open_counting(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Open the app in page; (the files it asked for so far, those whose fetch began before the first reconstruction
    was painted)."""
    fetched = []
    page.on("request", lambda r: fetched.append(local(r.url)))
    page.add_init_script("performance.setResourceTimingBufferSize(2000)")  # gradio's own files: more than 250
    open_app(page, url)
    return fetched, [local(u) for u in page.evaluate(BEFORE_FIRST_RECONSTRUCTION)]


def test_every_file_of_the_live_path_is_announced_and_fetched_once(page, app_url):
    names = announced(app_url)
    fetched, live = open_counting(page, app_url)
    assert {"ui/bundle.js", "ui/ort-wasm-simd-threaded.wasm", "ui/spaces.json",
            "ui/ae_encoder_layers.onnx", "ui/ae_decoder_layers.onnx"} <= set(names)
    assert any(re.fullmatch(r"assets/Blocks-[\w-]+\.js", n) for n in names), "gradio's scripts are not announced"
    assert set(names) <= set(live), f"announced, and not on the live path: {set(names) - set(live)}"
    assert all(fetched.count(n) == 1 for n in names), "an announced file was fetched twice: its preload went unused"
    code = {n for n in live if re.search(r"[.](m?js|onnx|wasm|bin|json)$", n) and n.startswith(("ui/", "assets/"))}
    assert code <= set(names), f"the live path fetched files it did not announce: {code - set(names)}"


def test_the_other_spaces_load_after_the_first_reconstruction_and_then_work(page, app_url, draw):
    names = announced(app_url)
    fetched, live = open_counting(page, app_url)
    others = set(in_page(page, OTHER_SPACES_FILES))
    assert {"ui/vae_decoder.onnx", "ui/pca_encoder.onnx"} <= others
    assert others.isdisjoint(names), f"another space's files announced: {others & set(names)}"
    assert others.isdisjoint(live), f"another space's files on the live path: {others & set(live)}"

    for name in ("ae", "vae", "pca"):  # the first drawing (an example) in every space, once their files are here
        expect(page.locator(f"#compare-{name} figcaption")).to_contain_text("MSE", timeout=30_000)
    assert {"ui/vae_encoder.onnx", "ui/vae_decoder.onnx", "ui/pca_encoder.onnx", "ui/pca_decoder.onnx"} <= set(fetched)
    page.click("#canvas .ae-clear")
    draw("#canvas .ae-draw", [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)])
    for name in ("ae", "vae", "pca"):
        expect(page.locator(f"#compare-{name} figcaption")).to_contain_text("MSE")
    page.check("#sliders input[value=vae]")
    expect(page.locator("#decoded figcaption")).to_contain_text("decoded by the VAE")
    expect(page.locator("#decoded figcaption")).to_contain_text("at your drawing's code")
    expect(page.locator("#reconstruction figcaption")).to_contain_text("by the VAE")
    assert page.locator("#canvas .ae-mode").is_hidden(), "the page fell back to the server"


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
    page.route("**/ae_decoder_layers.onnx", lambda route: route.fulfill(status=404))  # announced, then missing
    open_app(page, app_url)
    draw("#canvas .ae-draw", [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    assert page.locator("#z0 input[type=range]").count() == 1
    # the plain decoder runs in its place, and the network's decoder row says which file did not load
    assert "ae_decoder_layers.onnx" in page.locator("#network").inner_html()


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
