"""The first visit's live path, announced: the page's HTML names every file the page needs before its first
reconstruction in a Link header, so they load side by side while gradio starts; each announced file is fetched once
(the preload is the fetch), and a failed preload leaves the page to fetch and fall back as it would without one.
The sliders' other spaces (the VAE, PCA) are neither announced nor fetched before that reconstruction, only after."""
import re
import urllib.request

from playwright.sync_api import Page, expect

from recording import in_page, open_app

BELOW = {"bottleneck.json"}  # the code-size section and the planes read it as they mount: not needed to go live
# The page's own files (ui/<version>/...) whose fetch began before the first reconstruction was painted, on the clock
# the recorder's paints are timed by; a fetch begun right after that paint is not on the live path.
BEFORE_FIRST_RECONSTRUCTION = """() => {
  const painted = window.__rec.paints.find((p) => p.id === "reconstruction").t;
  return performance.getEntriesByType("resource").filter((e) => e.startTime < painted && /[/]ui[/]/.test(e.name))
    .map((e) => new URL(e.name).pathname.split("/").pop());
}"""
# The files of every space but the sliders' first one, as spaces.json lists them.
OTHER_SPACES_FILES = """const { state } = await mod('store.js');
  return Object.entries(state.data.spaces).filter(([name]) => name !== state.data.space)
    .flatMap(([, s]) => Object.values(s.files));"""


def announced(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        link = r.headers["link"]
    return re.findall(r"<ui/[0-9a-f]{12}/([^>]+)>", link)


def open_counting(page: Page, url: str) -> tuple[list[str], list[str]]:
    """Open the app in page; (the page's files it asked for so far, those whose fetch began before the first
    reconstruction was painted)."""
    fetched = []
    page.on("request", lambda r: "/ui/" in r.url and fetched.append(r.url.rsplit("/", 1)[-1]))
    page.add_init_script("performance.setResourceTimingBufferSize(2000)")  # gradio's own files: more than 250
    open_app(page, url)
    return fetched, page.evaluate(BEFORE_FIRST_RECONSTRUCTION)


def test_every_file_of_the_live_path_is_announced_and_fetched_once(page, app_url):
    names = announced(app_url)
    fetched, live = open_counting(page, app_url)
    assert {"engine.js", "ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm", "spaces.json",
            "ae_encoder_layers.onnx", "ae_decoder_layers.onnx"} <= set(names)
    assert set(names) <= set(live), "a file announced that the live path does not use"
    assert all(fetched.count(n) == 1 for n in names), "an announced file was fetched twice: its preload went unused"
    code = {n for n in live if re.search(r"[.](m?js|onnx|wasm|bin|json)$", n)} - BELOW
    assert code <= set(names), f"the live path fetched files it did not announce: {code - set(names)}"


def test_the_other_spaces_load_after_the_first_reconstruction_and_then_work(page, app_url, draw):
    names = announced(app_url)
    fetched, live = open_counting(page, app_url)
    others = set(in_page(page, OTHER_SPACES_FILES))
    assert {"vae_decoder.onnx", "pca_encoder.onnx"} <= others
    assert others.isdisjoint(names), f"another space's files announced: {others & set(names)}"
    assert others.isdisjoint(live), f"another space's files on the live path: {others & set(live)}"

    for name in ("ae", "vae", "pca"):  # the first drawing (an example) in every space, once their files are here
        expect(page.locator(f"#compare-{name} figcaption")).to_contain_text("MSE", timeout=30_000)
    assert {"vae_encoder.onnx", "vae_decoder.onnx", "pca_encoder.onnx", "pca_decoder.onnx"} <= set(fetched)
    page.click("#canvas .ae-clear")
    draw("#canvas .ae-draw", [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)])
    for name in ("ae", "vae", "pca"):
        expect(page.locator(f"#compare-{name} figcaption")).to_contain_text("MSE")
    page.check("#sliders input[value=vae]")
    expect(page.locator("#decoded figcaption")).to_contain_text("decoded by the VAE")
    expect(page.locator("#decoded figcaption")).to_contain_text("at your drawing's code")
    expect(page.locator("#reconstruction figcaption")).to_contain_text("by the VAE")
    assert page.locator("#canvas .ae-mode").is_hidden(), "the page fell back to the server"


def test_a_preload_that_fails_leaves_the_page_working(page, app_url, draw):
    page.route("**/ae_meter.bin", lambda route: route.fulfill(status=404))  # announced, then missing
    open_app(page, app_url)
    draw("#canvas .ae-draw", [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    assert page.locator("#z0 input[type=range]").count() == 1
