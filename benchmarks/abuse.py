"""The heaviest requests a visitor may send, many at once, against app.py: what they cost the server.

python benchmarks/abuse.py                 # 40 at once per door, 60 spellings of one asset path
python benchmarks/abuse.py --at-once 200   # a bigger crowd

Starts `python app.py` on 127.0.0.1 and a free port. Each phase sends its requests all at once and prints the
answers by HTTP status, the server's peak resident memory above what it held before the phase (sampled every
20 ms from /proc) and when the last answer came:
  - prepare:      the largest drawing allowed (MAX_POINTS points spread over the whole MAX_COORD extent, the
                  costliest to render) to POST /gradio_api/run/prepare, as a notebook would call it directly
  - interpolate:  the same drawing to Interpolate, as the page sends it (POST /gradio_api/run/interpolate)
  - fallback:     the same drawing to the live route a page without WebAssembly calls (POST /live/reconstruct)
  - crowd:        60 first requests at once for gradio's largest front-end file, all spelled alike
  - assets:       60 spellings of gradio's largest front-end file (/assets/x<i>/../<file>, /assets//<file>, ...)
A 503 is the server saying it is busy (serve/busy.py), an answer, not a failure.
"""
import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
import gradio
import numpy as np
import yarl

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ae.config import MAX_COORD, MAX_POINTS  # noqa: E402
from app_server import rss_mb, serve_app  # noqa: E402

TARGET_MB = 200.0  # peak memory rise per phase


def heaviest_drawing(seed: int = 0) -> dict:
    """MAX_POINTS points in one stroke, scattered over the whole extent: every segment crosses the 28x28 image."""
    points = np.random.default_rng(seed).uniform(-MAX_COORD, MAX_COORD, (MAX_POINTS, 2)).round(1)
    return {"strokes": [points.tolist()]}


async def watch_memory(pid: int, peak: list[float], done: asyncio.Event) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.02)


async def phase(name: str, pid: int, requests: list[tuple[str, str, bytes | None]]) -> dict:
    """Send every (method, url, body) at once; answers by status, peak memory rise (MB) and the last answer's time."""
    before = rss_mb(pid)
    peak, done = [before], asyncio.Event()
    watcher = asyncio.create_task(watch_memory(pid, peak, done))
    statuses = Counter()
    start = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        async def one(method, url, body):
            headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}  # as a browser asks
            async with http.request(method, yarl.URL(url, encoded=True), data=body, headers=headers) as r:
                await r.read()
                statuses[r.status] += 1
        await asyncio.gather(*(one(*r) for r in requests))
    last = time.perf_counter() - start
    done.set()
    await watcher
    row = {"phase": name, "requests": len(requests), "statuses": dict(sorted(statuses.items())),
           "peak_rise_mb": round(peak[0] - before, 1), "last_answer_s": round(last, 2)}
    print(json.dumps(row), flush=True)
    return row


def asset_spellings(base: str, path: str, n: int) -> list[str]:
    """n ways of writing /assets/<file>: through made-up folders, doubled slashes, dot segments."""
    name = path.removeprefix("/assets/")
    forms = [f"assets/x{i}/../{name}" for i in range(n - 3)] + [f"assets//{name}", f"assets/./{name}", f"assets/{name}"]
    return [base + f for f in forms[:n]]


def largest_asset() -> Path:
    """The largest of gradio's front-end files (its Plotly bundle, ~4.5 MB): the costliest to keep twice."""
    return max((Path(gradio.__file__).parent / "templates" / "frontend" / "assets").glob("*.js"),
               key=lambda p: p.stat().st_size)


async def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--at-once", type=int, default=40, help="requests sent at once per door (default: 40)")
    p.add_argument("--spellings", type=int, default=60, help="spellings of one asset path (default: 60)")
    args = p.parse_args(argv)
    drawing = heaviest_drawing()
    payload = json.dumps(drawing)
    with serve_app() as served:
        asset = "/assets/" + largest_asset().name
        rows = [
            await phase("prepare", served.pid, [("POST", f"{served.url}gradio_api/run/prepare",
                                                 json.dumps({"data": [drawing["strokes"]]}).encode())] * args.at_once),
            await phase("interpolate", served.pid, [("POST", f"{served.url}gradio_api/run/interpolate",
                                                     json.dumps({"data": [-1, 3, payload]}).encode())] * args.at_once),
            await phase("fallback", served.pid,
                        [("POST", f"{served.url}live/reconstruct",
                          json.dumps({"drawing": drawing, "spaces": ["ae", "vae", "pca"]}).encode())] * args.at_once),
            await phase("crowd", served.pid, [("GET", served.url + asset.lstrip("/"), None)] * args.spellings),
            await phase("assets", served.pid,
                        [("GET", u, None) for u in asset_spellings(served.url, asset, args.spellings)]),
        ]
        tracebacks = served.output().count("Traceback")
    worst = max(r["peak_rise_mb"] for r in rows)
    print(f"asset: {asset}; worst peak memory rise {worst:.1f} MB (target under {TARGET_MB:.0f} MB), "
          f"tracebacks in the server's log: {tracebacks}")


if __name__ == "__main__":
    asyncio.run(main())
