"""The first visit's live path, announced: the page's HTML names every file the page needs before its first
reconstruction in a Link header, so they load side by side while gradio starts; each announced file is fetched once
(the preload is the fetch), and a failed preload leaves the page to fetch and fall back as it would without one."""
import re
import urllib.request

from recording import open_app

BELOW = {"bottleneck.json"}  # the code-size section and the planes read it as they mount: not needed to go live


def announced(url: str) -> list[str]:
    with urllib.request.urlopen(url, timeout=10) as r:
        link = r.headers["link"]
    return re.findall(r"<ui/[0-9a-f]{12}/([^>]+)>", link)


def test_every_file_of_the_live_path_is_announced_and_fetched_once(page, app_url):
    names = announced(app_url)
    fetched = []
    page.on("request", lambda r: "/ui/" in r.url and fetched.append(r.url.rsplit("/", 1)[-1]))
    open_app(page, app_url)
    live = list(fetched)  # everything asked for before the first reconstruction painted
    assert {"bundle.js", "ort.wasm.bundle.min.mjs", "ort-wasm-simd-threaded.wasm", "spaces.json",
            "ae_encoder_layers.onnx", "ae_decoder_layers.onnx"} <= set(names)
    assert set(names) <= set(live), "a file announced that the live path does not use"
    assert all(live.count(n) == 1 for n in names), "an announced file was fetched twice: its preload went unused"
    code = {n for n in live if re.search(r"[.](m?js|onnx|wasm|bin|json)$", n)} - BELOW
    assert code <= set(names), f"the live path fetched files it did not announce: {code - set(names)}"


def test_a_preload_that_fails_leaves_the_page_working(page, app_url, draw):
    page.route("**/ae_meter.bin", lambda route: route.fulfill(status=404))  # announced, then missing
    open_app(page, app_url)
    draw("#canvas .ae-draw", [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    assert page.locator("#z0 input[type=range]").count() == 1
