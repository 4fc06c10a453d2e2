"""The live drawing loop as a user sees it: app.py served locally, strokes drawn in headless chromium.

AE_WEIGHTS=runs/smoke python benchmarks/bench_browser.py          # starts app.py on a free port
python benchmarks/bench_browser.py --strokes 10 --duration 3       # weights/, more and longer strokes
python benchmarks/bench_browser.py --url http://127.0.0.1:7860/    # an app that is already running

For each stroke (on a cleared canvas) it counts the reconstruction updates shown while the pointer is down, and
times pointer-up -> the last reconstruction update (when the DOM got it, and when its image loaded), all on the
page's own clock (tests/browser/recording.py).
"""
import argparse
import contextlib
import os
import platform
import shlex
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT / "tests")]  # the browser conftest first, then app_server

from playwright.sync_api import sync_playwright  # noqa: E402

from app_server import serve_app  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, draw_stroke  # noqa: E402
from recording import open_app, recorded, reset_recorder, wait_quiet  # noqa: E402

TARGET_UPDATES = 10  # reconstruction updates during a 2 s stroke, at least
TARGET_P50_MS = 250  # pointer-up -> final reconstruction shown, p50 at most
STROKES = [  # digits drawn in one stroke, in fractions of the canvas
    [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.42, 0.85)],  # 7
    [(0.3, 0.3), (0.5, 0.15), (0.7, 0.3), (0.3, 0.85), (0.75, 0.85)],  # 2
    [(0.5, 0.15), (0.5, 0.85)],  # 1
    [(0.7, 0.15), (0.3, 0.55), (0.75, 0.55), (0.65, 0.4), (0.65, 0.85)],  # 4
    [(0.7, 0.2), (0.35, 0.2), (0.3, 0.5), (0.65, 0.5), (0.7, 0.75), (0.3, 0.85)],  # 5
]
CANVAS = "#canvas canvas"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--strokes", type=int, default=5, help="strokes to draw (default: 5)")
    p.add_argument("--duration", type=float, default=2.0, help="seconds per stroke (default: 2.0)")
    p.add_argument("--url", default=None, help="use this running app instead of starting app.py (default: start one)")
    return p.parse_args(argv)


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (0..100) of xs by nearest rank."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def measure_stroke(page, points: list[tuple[float, float]], duration_s: float) -> dict:
    """Clear the canvas, draw one stroke, wait for the updates to stop; what the reconstruction did."""
    if page.is_disabled("#canvas .ae-clear"):  # canvas.js enables it whenever there is ink
        shot = ROOT / "artifacts" / "bench_browser_failure.png"
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=shot)
        raise RuntimeError(f"Clear is disabled before a stroke: the canvas holds no drawing (screenshot: {shot})")
    page.click("#canvas .ae-clear")
    page.wait_for_selector("#reconstruction.empty")
    wait_quiet(page, 300)
    reset_recorder(page)
    draw_stroke(page, CANVAS, points, duration_s=duration_s)
    wait_quiet(page, 1000, timeout_ms=30_000)  # the final update comes well within a second
    rec = recorded(page)
    (down,), (up,) = rec["downs"], rec["ups"]
    shown = [c for c in rec["changes"] if c["id"] == "reconstruction" and c["src"]]
    during = [c["t"] for c in shown if down < c["t"] < up]
    after = [c for c in shown if c["t"] > up]
    gaps = [b - a for a, b in zip(during, during[1:])]
    return {"stroke_ms": up - down, "updates": len(during), "gap_ms": statistics.median(gaps) if gaps else None,
            "up_to_dom_ms": after[-1]["t"] - up if after else None,
            "up_to_loaded_ms": after[-1]["loaded"] - up if after and after[-1]["loaded"] else None}


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.0f}"


def loadavg(xs: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in xs)


def summary(name: str, xs: list[float]) -> str:
    return f"{name}: p50 {statistics.median(xs):.0f} ms, p95 {percentile(xs, 95):.0f} ms" if xs else f"{name}: none"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(serve_app()).url
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        open_app(page, url)
        rows = [measure_stroke(page, STROKES[i % len(STROKES)], args.duration) for i in range(args.strokes)]
        chromium = browser.version
    load_after = os.getloadavg()

    import gradio
    env = {k: os.environ.get(k, "(unset)") for k in ("AE_WEIGHTS", "OMP_NUM_THREADS")}
    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"app: {url if args.url else 'app.py started by this script'}; "
          + ", ".join(f"{k}={v}" for k, v in env.items()))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {loadavg(load_before)} before, "
          f"{loadavg(load_after)} after; headless chromium {chromium}, gradio {gradio.__version__}")
    print(f"{args.strokes} strokes of {args.duration:g} s on a cleared canvas\n")
    print("| stroke | drawn (ms) | updates during | median gap (ms) | up -> DOM (ms) | up -> loaded (ms) |")
    print("|--------|------------|----------------|-----------------|----------------|-------------------|")
    for i, r in enumerate(rows, 1):
        print(f"| {i:6d} | {r['stroke_ms']:10.0f} | {r['updates']:14d} | {fmt(r['gap_ms']):>15} | "
              f"{fmt(r['up_to_dom_ms']):>14} | {fmt(r['up_to_loaded_ms']):>17} |")
    updates = [r["updates"] for r in rows]
    dom = [r["up_to_dom_ms"] for r in rows if r["up_to_dom_ms"] is not None]
    loaded = [r["up_to_loaded_ms"] for r in rows if r["up_to_loaded_ms"] is not None]
    enough = min(updates) >= TARGET_UPDATES
    fast = bool(loaded) and statistics.median(loaded) < TARGET_P50_MS
    print(f"\nupdates during a stroke: min {min(updates)}, p50 {statistics.median(updates):g} "
          f"(target >= {TARGET_UPDATES}: {'ok' if enough else 'MISSED'})")
    print(summary("pointer-up -> final reconstruction in the DOM", dom))
    print(summary("pointer-up -> final reconstruction image loaded", loaded)
          + f" (target p50 < {TARGET_P50_MS} ms: {'ok' if fast else 'MISSED'})")
    if len(dom) < len(rows):
        print(f"{len(rows) - len(dom)} stroke(s) had no update after pointer-up: "
              "the final image equalled the last one shown")

if __name__ == "__main__":
    main()
