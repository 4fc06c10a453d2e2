"""A workshop room against app.py: N users drawing and sliding at human pace over the app's HTTP API.

python benchmarks/serve_load.py                          # 50 users for 60 s, the targets below
python benchmarks/serve_load.py --users 100              # a bigger room
python benchmarks/serve_load.py --same-input             # every user sends the identical drawing and code
python benchmarks/serve_load.py --weights runs/smoke     # stand-in weights (sets AE_WEIGHTS for the server)

It starts `python app.py` on 127.0.0.1 and a free port, times start-up to the first HTTP 200, then runs
the users: each has its own gradio session and, every 250 ms (with jitter), either sends the live canvas
(`draw`, a 64x64 payload of an MNIST digit drawn large, mid-stroke or finished) or moves a slider
(`slide`). A user waits for one answer before sending again, as the page does (trigger_mode
"always_last"). Latency is from the POST to the `complete` event; anything else counts as an error.
The load generator runs on the same machine and takes CPU from the server: it prints its own share.
"""
import argparse
import asyncio
import json
import os
import random
import resource
import string
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # `python benchmarks/...` finds ae and the tests' app server

from ae.canvas import encode_payload  # noqa: E402
from ae.data import load_mnist  # noqa: E402
from app_server import serve_app  # noqa: E402

TARGETS = {"startup_s": 6.0, "p95_ms": 300.0, "errors": 0, "peak_rss_mb": 800.0}
SIDE = 64  # the page sends the canvas downsampled to 64x64 (ui/canvas.js SEND)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=50, help="simulated users (default: 50)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the users keep going (default: 60)")
    p.add_argument("--interval-ms", type=float, default=250.0, help="time between one user's requests (default: 250)")
    p.add_argument("--jitter", type=float, default=0.3, help="each interval is scaled by 1 +- this, at random (default: 0.3)")
    p.add_argument("--draw-share", type=float, default=0.5, help="share of requests that are canvas updates, the rest slider moves (default: 0.5)")
    p.add_argument("--same-input", action="store_true", help="every user sends the identical payload and code")
    p.add_argument("--weights", type=Path, default=None, help="weights folder for the server (default: its AE_WEIGHTS or weights/)")
    p.add_argument("--app", type=Path, default=ROOT / "app.py", help="script to serve (default: app.py)")
    p.add_argument("--seed", type=int, default=0, help="seed for the digits, the jitter and the slider walks (default: 0)")
    p.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    return p.parse_args(argv)


def slider_box(url: str) -> tuple[np.ndarray, np.ndarray]:
    """The sliders' (minimum, maximum) per dimension, as the page reads them from /config."""
    with urllib.request.urlopen(f"{url}config", timeout=10) as r:
        props = {c["props"].get("elem_id"): c["props"] for c in json.load(r)["components"] if "props" in c}
    return (np.array([props[f"z{i}"]["minimum"] for i in range(10)]),
            np.array([props[f"z{i}"]["maximum"] for i in range(10)]))


def drawn_large(digit: np.ndarray, rng: random.Random) -> np.ndarray:
    """An MNIST digit (28, 28) uint8 as a user draws it: scaled to most of the 64x64 canvas, placed off-centre."""
    size = rng.randint(40, 58)
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.BILINEAR))
    ink = np.zeros((SIDE, SIDE), np.uint8)
    top, left = rng.randint(0, SIDE - size), rng.randint(0, SIDE - size)
    ink[top:top + size, left:left + size] = big
    return ink


def strokes(ink: np.ndarray, frames: int) -> list[np.ndarray]:
    """The canvas while a digit is drawn: its ink revealed from the top, ending with the whole digit."""
    rows = np.flatnonzero(ink.any(axis=1))
    out = []
    for k in range(1, frames + 1):
        partial = ink.copy()
        partial[rows[0] + (rows[-1] - rows[0] + 1) * k // frames:] = 0
        out.append(partial)
    return out


def user_payloads(images: np.ndarray, rng: random.Random, digits: int = 6, frames: int = 6) -> list[str]:
    """One user's canvas updates: several digits, each sent mid-stroke and finished."""
    payloads = []
    for _ in range(digits):
        ink = drawn_large(images[rng.randrange(len(images))], rng)
        payloads += [encode_payload(p, seq=len(payloads) + 1) for p in strokes(ink, frames)]
    return payloads


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"draw": [], "slide": []})  # seconds
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # the first few error messages

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:200]}")


async def call(client: httpx.AsyncClient, url: str, api_name: str, data: list, session: str) -> tuple[str, str]:
    """POST a call, then read its event stream to the end; ("complete" | "error" | ..., detail)."""
    r = await client.post(f"{url}gradio_api/call/{api_name}", json={"data": data, "session_hash": session})
    if r.status_code != 200:
        return f"http {r.status_code}", r.text
    event_id = r.json()["event_id"]
    async with client.stream("GET", f"{url}gradio_api/call/{api_name}/{event_id}") as stream:
        event = None
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: ") and event in ("complete", "error"):
                return event, line[len("data: "):]
    return "closed", "the stream ended without a result"


async def user(client: httpx.AsyncClient, url: str, payloads: list[str], box: tuple[np.ndarray, np.ndarray],
               args: argparse.Namespace, rng: random.Random, start: float, end: float, results: Results) -> None:
    """One person at the app: a request every interval (with jitter), one at a time, until end."""
    session = "".join(rng.choices(string.ascii_lowercase + string.digits, k=11))  # as the page makes one
    lo, hi = box
    z = (lo + hi) / 2
    interval = args.interval_ms / 1000
    due = start + rng.random() * interval  # users arrive spread over one interval
    i = 0
    while True:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if time.perf_counter() >= end:
            return
        if rng.random() < args.draw_share:
            kind, data = "draw", [payloads[i % len(payloads)], "ae", None]
            i += 1
        else:
            if not args.same_input:  # a slider dragged: one dimension moves a little
                d = rng.randrange(10)
                z[d] = min(hi[d], max(lo[d], z[d] + rng.uniform(-0.1, 0.1) * (hi[d] - lo[d])))
            kind, data = "slide", ["ae", None, *np.round(z, 2).clip(lo, hi).tolist()]
        sent = time.perf_counter()
        try:
            event, detail = await call(client, url, kind, data, session)
        except Exception as e:  # timeouts, refused or broken connections: all errors to a user
            event, detail = type(e).__name__, str(e)
        if event == "complete":
            results.latencies[kind].append(time.perf_counter() - sent)
        else:
            results.error(f"{kind} {event}", detail)
        due = max(due + interval * (1 + rng.uniform(-args.jitter, args.jitter)), time.perf_counter())


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and its anonymous and file-backed parts (MB) of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "RssAnon", "RssFile"):
            fields[key] = int(line.split()[1]) / 1024
    return fields


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def watch_memory(pid: int, peak: dict[str, float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for k, v in memory_mb(pid).items():
            peak[k] = max(peak.get(k, 0.0), v)
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except asyncio.TimeoutError:
            pass


async def run_users(url: str, pid: int, args: argparse.Namespace, payloads: list[list[str]],
                    box: tuple[np.ndarray, np.ndarray]) -> tuple[Results, dict, float]:
    results, peak, stop = Results(), {}, asyncio.Event()
    limits = httpx.Limits(max_connections=2 * args.users + 10, max_keepalive_connections=2 * args.users + 10)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0)) as client:
        for kind, data in (("draw", [payloads[0][0], "ae", None]), ("slide", ["ae", None, *((box[0] + box[1]) / 2).round(2).tolist()])):
            event, detail = await call(client, url, kind, data, "warmup")  # first calls build caches
            if event != "complete":
                raise SystemExit(f"a {kind} call failed before the load started: {event} {detail[:300]}")
        memory = asyncio.create_task(watch_memory(pid, peak, stop))
        start = time.perf_counter()
        end = start + args.seconds
        rngs = [random.Random(args.seed * 100_003 + u) for u in range(args.users)]
        await asyncio.gather(*(user(client, url, payloads[u % len(payloads)], box, args, rngs[u], start, end, results)
                               for u in range(args.users)))
        elapsed = time.perf_counter() - start
        stop.set()
        await memory
    return results, peak, elapsed


def percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"n": 0}
    ms = np.array(seconds) * 1000
    return {"n": len(ms), "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "p99": float(np.percentile(ms, 99)), "max": float(ms.max())}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mnist = load_mnist()
    images = mnist.test_images.numpy()
    if args.same_input:
        payloads = [[encode_payload(drawn_large(images[0], random.Random(args.seed)))]]
    else:
        payloads = [user_payloads(images, random.Random(args.seed * 7919 + u)) for u in range(args.users)]
    env = {"AE_WEIGHTS": str(args.weights)} if args.weights is not None else None
    start = time.perf_counter()
    with serve_app([sys.executable, str(args.app)], env=env, timeout=120) as served:
        proc, url, startup = served.proc, served.url, time.perf_counter() - start
        idle = memory_mb(proc.pid)
        print(f"start-up: {startup:.2f} s to the first HTTP 200 ({args.app.name}, {url}); "
              f"idle RSS {idle['VmRSS']:.0f} MB (anon {idle['RssAnon']:.0f}, file {idle['RssFile']:.0f})")
        box = slider_box(url)
        cpu_before, client_before = cpu_seconds(proc.pid), resource.getrusage(resource.RUSAGE_SELF)
        results, peak, elapsed = asyncio.run(run_users(url, proc.pid, args, payloads, box))
        server_cpu = cpu_seconds(proc.pid) - cpu_before
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (client_after.ru_utime - client_before.ru_utime) + (client_after.ru_stime - client_before.ru_stime)
        alive = proc.poll() is None
    everything = results.latencies["draw"] + results.latencies["slide"]
    summary = {
        "users": args.users, "seconds": round(elapsed, 1), "interval_ms": args.interval_ms, "same_input": args.same_input,
        "app": args.app.name, "startup_s": round(startup, 2),
        "offered_per_s": round(args.users * 1000 / args.interval_ms, 1) if args.interval_ms > 0 else None,  # None: back to back
        "completed_per_s": round(len(everything) / elapsed, 1),
        "latency_ms": {"all": percentiles(everything), **{k: percentiles(v) for k, v in results.latencies.items()}},
        "errors": sum(results.errors.values()), "error_kinds": dict(results.errors), "error_examples": results.examples,
        "idle_rss_mb": round(idle["VmRSS"]), "peak_rss_mb": round(peak.get("VmRSS", 0)),
        "peak_rss_anon_mb": round(peak.get("RssAnon", 0)), "peak_rss_file_mb": round(peak.get("RssFile", 0)),
        "server_cpu_share": round(server_cpu / elapsed, 2), "client_cpu_share": round(client_cpu / elapsed, 2),
        "cpus": os.cpu_count(), "server_alive": alive,
    }
    report(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def report(s: dict) -> None:
    lat = s["latency_ms"]
    pace = f"one request per {s['interval_ms']:.0f} ms each" if s["offered_per_s"] else "requests back to back"
    print(f"{s['users']} users for {s['seconds']} s, {pace}"
          f"{', identical inputs' if s['same_input'] else ''}: offered {s['offered_per_s'] or '-'}/s, completed {s['completed_per_s']}/s")
    for kind in ("all", "draw", "slide"):
        p = lat[kind]
        if p["n"]:
            print(f"  {kind:5s} n={p['n']:6d}  p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  p99 {p['p99']:7.1f} ms  max {p['max']:7.1f} ms")
    print(f"  errors: {s['errors']} {s['error_kinds'] or ''}")
    for line in s["error_examples"]:
        print(f"    {line}")
    print(f"  server RSS: idle {s['idle_rss_mb']} MB, peak {s['peak_rss_mb']} MB "
          f"(anon {s['peak_rss_anon_mb']}, file-backed {s['peak_rss_file_mb']})")
    print(f"  CPU: server {s['server_cpu_share']:.2f} cores, load generator {s['client_cpu_share']:.2f} cores, of {s['cpus']}")
    checks = {"start-up < 6 s": s["startup_s"] < TARGETS["startup_s"], "zero errors": s["errors"] == TARGETS["errors"],
              "p95 < 300 ms": lat["all"].get("p95", float("inf")) < TARGETS["p95_ms"],
              "peak RSS < 800 MB": s["peak_rss_mb"] < TARGETS["peak_rss_mb"], "server alive": s["server_alive"]}
    print("  targets: " + ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in checks.items()))


if __name__ == "__main__":
    main()
