"""The live path as a user sees it, in headless chromium, with latency added to every request as far from the server.

python benchmarks/bench_browser.py                                   # models in the page, 0 and 300 ms added
python benchmarks/bench_browser.py --models page server --latency 0 150 300   # and the server's live routes
python benchmarks/bench_browser.py --url http://127.0.0.1:7860/      # an app that is already running
python benchmarks/bench_browser.py --load-only                       # only the first load: bytes, time, layout shift
python benchmarks/bench_browser.py --first-visit --repeats 3         # the first visit's waterfall, far and near

For each setting, on the page's own clock (tests/browser/recording.py): 2-s strokes on a cleared canvas (reconstruction
updates a second while drawing, the last pointer move to the last update, pointer-up to the sliders holding the new
code) and 2-s slider drags (decodes a second, the last pointer move to the last decode); for both, the paints a second
of #network's slowest layer view and pen or slider up to the last layer painted (target: >= 30/s, < 50 ms). The
pointer moves once a display frame, as a mouse reports it. Then, with the models in the page: the page's own
timings of prepare, encode and decode (600 calls each), page load to the first reconstruction, and the bytes a first
visit, the replay and a reload transfer, and the cumulative layout shift of a first load (target: at most 0.05); and
#replay: scrolled to -> its player ready, points painted a second while it plays at 30 and 60 points a second
(target: >= 30) and a scrub to the frame shown (target: < 50 ms). Latency is added with CDP's
Network.emulateNetworkConditions.
"""
import argparse
import contextlib
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "tests"), str(ROOT)]

from playwright.sync_api import sync_playwright  # noqa: E402

from app_server import serve_app  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, MODES, draw_stroke  # noqa: E402
from recording import RECORDER_JS, in_page, recorded, reset_recorder, wait_quiet  # noqa: E402

STROKES = [  # digits drawn in one stroke, in fractions of the canvas
    [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)],  # 7
    [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.85), (0.75, 0.85)],  # 2
    [(0.5, 0.15), (0.5, 0.85)],  # 1
    [(0.7, 0.15), (0.3, 0.55), (0.75, 0.55), (0.65, 0.4), (0.65, 0.85)],  # 4
    [(0.7, 0.2), (0.35, 0.2), (0.3, 0.5), (0.65, 0.5), (0.7, 0.75), (0.3, 0.85)],  # 5
]
CANVAS = "#canvas .ae-draw"
# Cumulative layout shift from the page's first script on: the sum of every shift not caused by the user's input
LAYOUT_SHIFT_JS = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
}).observe({ type: "layout-shift", buffered: true });
"""
# the store's slider code, timed: the sliders hold a new code when the store says so (ui/sliders.js emits "z")
WATCH_CODE = ("const { on } = await mod('store.js'); window.__rec.z = []; "
              "on('z', () => window.__rec.z.push(performance.now()));")
TIMINGS = """
const { state } = await mod('store.js');
const { prepare } = await mod('prepare.js');
const { encode, decodeWith, ready } = await mod('engine.js');
await ready;
const files = state.data.spaces.ae.files;
const drawing = { strokes: arg };
const time = async (f) => { const t = []; for (let i = 0; i < 600; i++) { const s = performance.now(); \
await f(); t.push(performance.now() - s); } return t; };
const code = await encode(files, prepare(drawing));
return {
  prepare: await time(async () => prepare(drawing)),
  decode: await time(() => decodeWith(files, code)),
  all: await time(async () => decodeWith(files, await encode(files, prepare(drawing)))),
};
"""

# Shown beside the figures of --first-visit: the targets a first visit is measured against (no assertion is made)
LIVE_TARGET_S = {0: 1.5, 150: 2.0, 300: 3.0}  # added latency (ms) -> page live after at most this, fresh profile
OWN_REQUESTS_TARGET = 10
LIVE_BYTES_TARGET = {"br": 3e6, "gzip": 4.5e6}  # before the page is live, with and without brotli
RELOAD_BYTES_TARGET = 50e3
# Polled each display frame in the page from its first script on, so the time is the page's own: not playwright's
# round trip, nor held back until page.goto returns at the load event (which waits for every file the page preloads)
TEN_SLIDERS_JS = """(function poll() {
  if (document.querySelectorAll('.ae-rows .z').length >= 10) window.__sliders = performance.now();
  else requestAnimationFrame(poll);
})();"""


def chain_length(spans: list[tuple[float, float]]) -> int:
    """The longest chain of (start, end) spans in which each starts only after the one before it has ended."""
    spans = sorted(spans)
    depth = []
    for i, (start, _) in enumerate(spans):
        depth.append(1 + max((depth[j] for j in range(i) if spans[j][1] <= start), default=0))
    return max(depth, default=0)


def watch_network(cdp) -> dict:
    """Every request the page makes, by CDP request id: url, start and end on CDP's clock (s), bytes on the wire."""
    seen = {}
    cdp.on("Network.requestWillBeSent", lambda e: seen.setdefault(e["requestId"], {"url": e["request"]["url"],
                                                                                  "start": e["timestamp"]}))

    def finished(e):
        if e["requestId"] in seen:
            seen[e["requestId"]].update(end=e["timestamp"], bytes=e.get("encodedDataLength", 0))
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", finished)
    cdp.on("Network.requestServedFromCache", lambda e: seen.get(e["requestId"], {}).update(cached=True))
    cdp.on("Network.responseReceived", lambda e: e["response"].get("fromDiskCache")
           and seen.get(e["requestId"], {}).update(cached=True))
    return seen


def visit(page, cdp, url: str) -> dict:
    """One navigation, timed on the page's clock (ms since it started): the ten sliders, the first reconstruction
    painted (the page is live), the last response; with the requests made until then."""
    seen = watch_network(cdp)
    page.goto(url)
    page.wait_for_function("() => window.__sliders !== undefined", timeout=60_000)
    sliders = page.evaluate("window.__sliders")
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=60_000)
    live = min(p["t"] for p in recorded(page)["paints"] if p["id"] == "reconstruction")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # late requests (pictures, fonts)
    reqs = [r for r in seen.values() if "end" in r]
    t0 = min(r["start"] for r in reqs)  # the document's request: the page's clock starts about here
    live_at = t0 + live / 1000
    before = [r for r in reqs if r["end"] <= live_at]
    wire = [r for r in before if not r.get("cached")]  # a cache hit waits on no round trip
    own = [r for r in reqs if "/ui/" in r["url"]]  # the app's own route, ui/<version>/<name>
    return {"sliders": sliders / 1000, "live": live / 1000, "loaded": max(r["end"] for r in reqs) - t0,
            "chain": chain_length([(r["start"], r["end"]) for r in wire]),
            "own": len(own), "gradio": len(reqs) - len(own),
            "cached": sum(bool(r.get("cached")) for r in reqs), "live_bytes": sum(r["bytes"] for r in before),
            "bytes": sum(r["bytes"] for r in reqs)}


def first_visit(browser, url: str, latency: float, gzip_only: bool = False) -> tuple[dict, dict]:
    """A first visit with a fresh profile at latency ms added, then a visit with its warm cache; gzip_only: as a
    browser over plain http to a LAN address, which does not accept brotli."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.add_init_script(RECORDER_JS)
    page.add_init_script(TEN_SLIDERS_JS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    if gzip_only:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "gzip, deflate"}})
    fresh = visit(page, cdp, url)
    warm = visit(page, cdp, url)
    context.close()
    return fresh, warm


def print_first_visits(runs: dict, repeats: int) -> None:
    """The medians of each setting's first visits, beside the targets."""
    print(f"\nfirst visit, fresh profile then warm cache; medians of {repeats}; s from navigation; chain: sequential "
          "round trips before the page is live; MB before live / in all")
    print("| added latency | accepts | cache | ten sliders (s) | page live (s) | target live | whole page (s) "
          "| chain | own requests (target <= 10) | gradio's requests | from cache | MB before live (target) "
          "| MB in all |")
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (latency, gzip_only), visits in runs.items():
        for cache, rows in zip(("fresh", "warm"), zip(*visits)):
            m = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            coding = "gzip" if gzip_only else "br"
            target = (f"{LIVE_TARGET_S[latency]:.1f}" if cache == "fresh" and not gzip_only and latency in LIVE_TARGET_S
                      else "")
            byte_target = (f"{LIVE_BYTES_TARGET[coding] / 1e6:.1f}" if cache == "fresh"
                           else f"{RELOAD_BYTES_TARGET / 1e6:.2f}")
            print(f"| {latency:.0f} ms | {'gzip, deflate' if gzip_only else 'br, gzip'} | {cache} | "
                  f"{m['sliders']:.2f} | {m['live']:.2f} | {target} | {m['loaded']:.2f} | {m['chain']:.0f} | "
                  f"{m['own']:.0f} | {m['gradio']:.0f} | {m['cached']:.0f} | "
                  f"{m['live_bytes'] / 1e6:.2f} ({byte_target}) | "
                  f"{m['bytes'] / 1e6:.2f} |")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", nargs="+", choices=list(MODES), default=["page"],
                   help="where the models run (default: page)")
    p.add_argument("--latency", nargs="+", type=float, default=[0, 300],
                   help="ms added to every request (default: 0 300)")
    p.add_argument("--repeats", type=int, default=5, help="strokes and drags per setting (default: 5)")
    p.add_argument("--duration", type=float, default=2.0, help="seconds per stroke and drag (default: 2.0)")
    p.add_argument("--load-only", action="store_true", help="measure only the first loads, not strokes and drags")
    p.add_argument("--first-visit", action="store_true",
                   help="only first visits: 0, 150 and 300 ms added, fresh and warm, and without brotli")
    p.add_argument("--url", default=None, help="use this running app instead of starting app.py (default: start one)")
    return p.parse_args(argv)


def percentile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def add_latency(context, page, ms: float) -> None:
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": ms, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})


def stroke(page, points, duration_s: float) -> dict:
    """One stroke on a cleared canvas: updates a second while drawing, pointer-up to the last update and to the code."""
    page.click("#canvas .ae-clear")
    page.wait_for_selector("#reconstruction.empty")
    wait_quiet(page, 300, timeout_ms=30_000)
    reset_recorder(page)
    page.evaluate("() => { window.__rec.z.length = 0; }")
    draw_stroke(page, CANVAS, points, duration_s=duration_s, pause_ms=0)  # a move each display frame
    wait_quiet(page, 1000, timeout_ms=30_000)
    rec = recorded(page)
    (down,), (up,) = rec["downs"], rec["ups"]
    paints = [p["t"] for p in rec["paints"] if p["id"] == "reconstruction"]
    during = [t for t in paints if down < t < up]
    return {"rate": len(during) / ((up - down) / 1000), "lag": max(paints) - max(rec["moved"], down),
            "code": max([t - up for t in rec["z"] if t > up], default=float("nan")), **layer_paints(rec, down, up)}


def layer_paints(rec: dict, down: float, up: float) -> dict:
    """#network's layer views (figures #layer-*): the slowest one's paints a second between down and up, and up to the
    last paint of any; NaN where no layer view painted (the models on the server)."""
    times = {}
    for p in rec["paints"]:
        if p["id"].startswith("layer-"):
            times.setdefault(p["id"], []).append(p["t"])
    if not times:
        return {"layers_rate": float("nan"), "layers_lag": float("nan")}
    rate = min(len([t for t in ts if down < t < up]) for ts in times.values()) / ((up - down) / 1000)
    return {"layers_rate": rate, "layers_lag": max(max(ts) for ts in times.values()) - up}


def drag(page, duration_s: float, k: int) -> dict:
    """One slider drag across 80% of z<k>'s track: decodes a second while dragging, pointer-up to the last decode."""
    track = page.locator(f"#z{k} input[type=range]").bounding_box()
    y = track["y"] + track["height"] / 2
    x0, x1 = track["x"] + 0.1 * track["width"], track["x"] + 0.9 * track["width"]
    wait_quiet(page, 300, timeout_ms=30_000)
    reset_recorder(page)
    page.mouse.move(x0, y)
    page.mouse.down()
    start = time.monotonic()
    while (t := (time.monotonic() - start) / duration_s) < 1:  # each move takes about a display frame
        page.mouse.move(x0 + (x1 - x0) * t, y)
    page.mouse.move(x1, y)
    page.mouse.up()
    wait_quiet(page, 1000, timeout_ms=30_000)
    rec = recorded(page)
    down, up = rec["downs"][0], rec["ups"][-1]
    paints = [p["t"] for p in rec["paints"] if p["id"] == "decoded"]
    return {"rate": len([t for t in paints if down < t < up]) / ((up - down) / 1000), "lag": max(paints) - rec["moved"],
            **layer_paints(rec, down, up)}


def hover(page, duration_s: float) -> dict:
    """The pointer moved across the autoencoder's 2-D plane: decodes a second, the last move to the last decode."""
    plane = page.locator("#planes .ae-plane:has(#plane-ae) .map")
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)  # the plane's model loads on the first move
    page.wait_for_selector("#plane-ae:not(.empty)", timeout=30_000)
    wait_quiet(page, 300, timeout_ms=30_000)
    reset_recorder(page)
    start = time.monotonic()
    while (t := (time.monotonic() - start) / duration_s) < 1:  # each move takes about a display frame
        page.mouse.move(box["x"] + box["width"] * (0.1 + 0.8 * t), box["y"] + box["height"] * (0.3 + 0.4 * t))
    wait_quiet(page, 1000, timeout_ms=30_000)
    rec = recorded(page)
    paints = [p["t"] for p in rec["paints"] if p["id"] == "plane-ae"]
    return {"rate": len([t for t in paints if t <= rec["moved"]]) / duration_s, "lag": max(paints) - rec["moved"]}


# In the page: the replay played at `speed` points a second from its first point, each painted point's time; then
# `scrubs` scrubs to other points, each timed from the input event to the frame after its paint (two display frames)
REPLAY_JS = """async ([speed, scrubs]) => {
  const box = document.querySelector('#replay .ae-replay');
  const scrub = box.querySelector('.ae-replay-scrub');
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  scrub.value = 0; scrub.dispatchEvent(new Event('input'));
  box.querySelector('.ae-replay-speed').value = String(speed);
  const painted = [];
  let seen = box.painted;
  box.querySelector('.ae-replay-play').click();
  while (box.painted.index < Number(scrub.max)) {
    await frame();
    if (box.painted !== seen) { seen = box.painted; painted.push(seen.at); }
  }
  const waits = [];
  for (let i = 0; i < scrubs; i++) {
    const start = performance.now();
    scrub.value = (i * 17 + 5) % (Number(scrub.max) + 1);
    scrub.dispatchEvent(new Event('input'));
    await frame(); await frame();
    waits.push(performance.now() - start);
  }
  return { rate: (painted.length - 1) / ((painted.at(-1) - painted[0]) / 1000), waits };
}"""


def replay(page, repeats: int) -> dict:
    """#replay: scrolled to -> its player ready (its files load then), points painted a second while playing at 30
    and at 60 points a second, and scrub -> frame shown (ms)."""
    start = time.monotonic()
    page.locator("#replay").scroll_into_view_if_needed()
    page.wait_for_selector("#replay .ae-replay-scrub:not([disabled])", timeout=60_000)
    ready = time.monotonic() - start
    runs = {speed: [page.evaluate(REPLAY_JS, [speed, 20]) for _ in range(repeats)] for speed in (30, 60)}
    return {"ready": ready, **{f"rate{speed}": [r["rate"] for r in rs] for speed, rs in runs.items()},
            "waits": [w for rs in runs.values() for r in rs for w in r["waits"]]}


def transferred(browser, url: str) -> tuple[float, float, float, float, float, float]:
    """Bytes on the wire for a first visit, then for scrolling through the whole page (the code-size section loads its
    models when it comes into view), then for the replay (its files load when it is scrolled to), and for a reload
    (a normal profile's cache); load -> first reconstruction; and the
    first visit's cumulative layout shift, from the start to 2 s after the first reconstruction, before any scroll."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.add_init_script(RECORDER_JS)
    page.add_init_script(LAYOUT_SHIFT_JS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes, urls = {}, {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(url)
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    first = min(p["t"] for p in recorded(page)["paints"] if p["id"] == "reconstruction")
    page.wait_for_timeout(2000)  # late requests
    visit = sum(sizes.values())
    shift = page.evaluate("window.__cls")
    page.locator("#planes").scroll_into_view_if_needed()
    page.wait_for_selector("#size-32:not(.empty)", timeout=30_000)
    page.wait_for_timeout(2000)
    page.locator("#replay").scroll_into_view_if_needed()
    page.wait_for_selector("#replay .ae-replay-scrub:not([disabled])", timeout=30_000)
    page.wait_for_timeout(2000)
    replayed = sum(n for r, n in sizes.items() if "replay" in urls[r] and not urls[r].endswith(".js"))  # its data
    section = sum(sizes.values()) - visit - replayed
    sizes.clear()
    page.reload()
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)
    page.wait_for_timeout(2000)
    context.close()
    return visit, section, replayed, sum(sizes.values()), first, shift


def fmt(xs: list[float]) -> str:
    return f"{statistics.median(xs):.0f} / {percentile(xs, 95):.0f}"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    load_before = os.getloadavg()
    rows, extra = [], {}
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(serve_app()).url
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        if args.first_visit:
            settings = [(0, False), (150, False), (300, False), (0, True)]
            runs = {(lat, gz): [first_visit(browser, url, lat, gz) for _ in range(args.repeats)]
                    for lat, gz in settings}
        for models in [] if args.load_only or args.first_visit else args.models:
            for latency in args.latency:
                context = browser.new_context(viewport={"width": 1366, "height": 768})
                page = context.new_page()
                add_latency(context, page, latency)
                page.add_init_script(RECORDER_JS)
                page.goto(url + MODES[models])
                page.wait_for_selector("#reconstruction:not(.empty)", timeout=60_000)
                in_page(page, WATCH_CODE)
                strokes = [stroke(page, STROKES[i % len(STROKES)], args.duration) for i in range(args.repeats)]
                drags = [drag(page, args.duration, (2 * i) % 10) for i in range(args.repeats)]
                replays = replay(page, args.repeats) if models == "page" else None  # before the planes: unseen
                hovers = [hover(page, args.duration) for _ in range(args.repeats)] if models == "page" else []
                rows.append((models, latency, strokes, drags, hovers, replays))
                if models == "page" and latency == args.latency[0]:
                    extra["timings"] = in_page(page, TIMINGS, [[[60, 50], [220, 50], [120, 250]]])
                context.close()
        if "page" in args.models and not args.first_visit:
            (extra["first"], extra["section"], extra["replay"], extra["reload"], extra["load"],
             extra["shift"]) = zip(*[transferred(browser, url) for _ in range(3)])
        chromium = browser.version
    load_after = os.getloadavg()

    print(f"command: {shlex.join(['python', 'benchmarks/bench_browser.py', *argv])}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after; headless chromium {chromium}")
    if args.first_visit:
        print_first_visits(runs, args.repeats)
    if rows:
        print(f"{args.repeats} strokes and {args.repeats} slider drags of {args.duration:g} s per row; "
              "ms as p50 / p95\n")
        print("| models | added latency | reconstructions/s while drawing | pen stops -> last reconstruction (ms) | "
              "pen up -> sliders hold the code (ms) | decodes/s while dragging | drag stops -> last decode (ms) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for models, latency, strokes, drags, *_ in rows:
            print(f"| {models} | {latency:.0f} ms | {statistics.median(s['rate'] for s in strokes):.1f} | "
                  f"{fmt([s['lag'] for s in strokes])} | {fmt([s['code'] for s in strokes])} | "
                  f"{statistics.median(d['rate'] for d in drags):.1f} | {fmt([d['lag'] for d in drags])} |")
    if rows:
        print("\n#network's layer views (the slowest view's paints a second; pen or slider up -> last paint, ms)"
              "\n\n| models | added latency | layer paints/s while drawing | pen up -> last layer painted (ms) | "
              "layer paints/s while dragging | drag up -> last layer painted (ms) |\n|---|---:|---:|---:|---:|---:|")
        for models, latency, strokes, drags, *_ in rows:
            print(f"| {models} | {latency:.0f} ms | {statistics.median(s['layers_rate'] for s in strokes):.1f} | "
                  f"{fmt([s['layers_lag'] for s in strokes])} | "
                  f"{statistics.median(d['layers_rate'] for d in drags):.1f} | "
                  f"{fmt([d['layers_lag'] for d in drags])} |")
    for models, latency, *_, replays in rows:
        if replays:
            print(f"#replay at {latency:.0f} ms added: scrolled to -> player ready {replays['ready']:.2f} s; "
                  f"{statistics.median(replays['rate30']):.1f} points painted/s playing at 30/s, "
                  f"{statistics.median(replays['rate60']):.1f} at 60/s (target: >= 30); scrub -> frame shown "
                  f"{fmt(replays['waits'])} ms (target: < 50)")
    for models, latency, _, _, hovers, _ in rows:
        if hovers:
            print(f"pointer over the 2-D plane, {latency:.0f} ms added: "
                  f"{statistics.median(h['rate'] for h in hovers):.1f} decodes/s, last move -> last decode "
                  f"{fmt([h['lag'] for h in hovers])} ms")
    if "timings" in extra:
        t = extra["timings"]
        print("\nin the page, 600 calls each, ms p50 / p95: "
              + ", ".join(f"{k} {statistics.median(v):.2f} / {percentile(v, 95):.2f}" for k, v in
                          (("prepare", t["prepare"]), ("decode", t["decode"]),
                           ("prepare + encode + decode", t["all"]))))
    if "first" in extra:
        print("page load -> first reconstruction on localhost, 3 fresh profiles: "
              f"{', '.join(f'{x / 1000:.2f}' for x in extra['load'])} s")
        print(f"transferred: first visit {statistics.median(extra['first']) / 1e6:.2f} MB, then scrolling through the "
              f"page {statistics.median(extra['section']) / 1e6:.2f} MB more and the replay's data "
              f"{statistics.median(extra['replay']) / 1e6:.2f} MB (its decoders load as the pointer uses them), "
              f"a reload {statistics.median(extra['reload']) / 1e3:.0f} KB "
              "(medians of 3)")
        print(f"cumulative layout shift of a first load at 1366x768: {', '.join(f'{x:.3f}' for x in extra['shift'])} "
              "(target: at most 0.05)")


if __name__ == "__main__":
    main()
