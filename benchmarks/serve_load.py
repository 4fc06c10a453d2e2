"""A workshop room against app.py: N users drawing and sliding at human pace over the app's HTTP API.

python benchmarks/serve_load.py                          # 50 users for 60 s, the targets below
python benchmarks/serve_load.py --users 100              # a bigger room
python benchmarks/serve_load.py --same-input             # every user sends the identical drawing and code
python benchmarks/serve_load.py --weights runs/smoke     # stand-in weights (sets AE_WEIGHTS for the server)

It starts `python app.py` on 127.0.0.1 and a free port, times start-up to the first HTTP 200, then runs
the users. Each has its own gradio session and, every 250 ms (with jitter), takes one step of what the page
does, drawing digits (a 64x64 payload of an MNIST digit drawn large, revealed over six updates) and
dragging sliders (six steps per drag) in turn:
  - a canvas update mid-stroke:   POST /live/reconstruct                    (`live draw`)
  - the stroke's last update:     POST /live/reconstruct, and at the same time the gradio event `draw`
                                  (sliders, comparison, map), as pointer-up does
  - a slider step:                POST /live/decode                         (`live decode`)
  - the drag's last step:         POST /live/decode, and at the same time the gradio event `release` (map)
Both gradio events skip the queue, so the page POSTs them to /gradio_api/run/<name> with its session, as
here. A user waits for its answers before the next step, as the page sends one request at a time. Any
answer other than HTTP 200 with the expected content counts as an error. The users are split over two
load-generator processes (--processes), since one Python process driving 50 users saturates its own core
and its delays show up as latency. They run on the same machine and take CPU from the server: the script
prints their share.
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import string
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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
STEPS = 6  # canvas updates per drawn digit, and slider steps per drag
START_MARGIN_S = 10.0  # time for the load-generator processes to start before the users do


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=50, help="simulated users (default: 50)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the users keep going (default: 60)")
    p.add_argument("--interval-ms", type=float, default=250.0, help="time between one user's requests (default: 250)")
    p.add_argument("--jitter", type=float, default=0.3, help="each interval is scaled by 1 +- this, at random (default: 0.3)")
    p.add_argument("--draw-share", type=float, default=0.5, help="share of gestures that are drawn digits, the rest slider drags (default: 0.5)")
    p.add_argument("--same-input", action="store_true", help="every user sends the identical payload and code")
    p.add_argument("--weights", type=Path, default=None, help="weights folder for the server (default: its AE_WEIGHTS or weights/)")
    p.add_argument("--app", type=Path, default=ROOT / "app.py", help="script to serve (default: app.py)")
    p.add_argument("--processes", type=int, default=2, help="load-generator processes the users are split over (default: 2)")
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


def user_payloads(images: np.ndarray, rng: random.Random, digits: int = 6) -> list[str]:
    """One user's canvas updates: several digits, each sent STEPS times mid-stroke, the last one finished."""
    payloads = []
    for _ in range(digits):
        ink = drawn_large(images[rng.randrange(len(images))], rng)
        payloads += [encode_payload(p, seq=len(payloads) + 1) for p in strokes(ink, STEPS)]
    return payloads


KINDS = ("live draw", "live decode", "draw", "release")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})  # seconds
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # the first few error messages

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:200]}")


async def run(client: httpx.AsyncClient, url: str, api_name: str, data: list, session: str) -> tuple[str, str]:
    """POST an event that skips gradio's queue, as the page does (/gradio_api/run/<name>); ("complete" | ..., detail)."""
    r = await client.post(f"{url}gradio_api/run/{api_name}", json={"data": data, "session_hash": session})
    if r.status_code != 200:
        return f"http {r.status_code}", r.text
    return ("complete", "") if "data" in r.json() else ("bad answer", r.text)


async def live(client: httpx.AsyncClient, url: str, route: str, body: str, key: str) -> tuple[str, str]:
    """POST to a live route; ("complete", "") when it answers 200 with the expected field, else what went wrong."""
    r = await client.post(f"{url}live/{route}", content=body.encode(), headers={"Content-Type": "application/json"})
    if r.status_code != 200:
        return f"http {r.status_code}", r.text
    return ("complete", "") if key in r.json() else ("bad answer", r.text)


async def timed(kind: str, request, results: Results) -> None:
    """Await one request and file its latency, or its failure, under kind."""
    sent = time.perf_counter()
    try:
        event, detail = await request
    except Exception as e:  # timeouts, refused or broken connections: all errors to a user
        event, detail = type(e).__name__, str(e)
    if event == "complete":
        results.latencies[kind].append(time.perf_counter() - sent)
    else:
        results.error(f"{kind} {event}", detail)


async def user(client: httpx.AsyncClient, url: str, payloads: list[str], box: tuple[np.ndarray, np.ndarray],
               args: argparse.Namespace, rng: random.Random, start: float, end: float, results: Results) -> None:
    """One person at the app: a step every interval (with jitter), drawing and dragging sliders in turn, until end."""
    session = "".join(rng.choices(string.ascii_lowercase + string.digits, k=11))  # as the page makes one
    lo, hi = box
    z = (lo + hi) / 2
    interval = args.interval_ms / 1000
    due = start + rng.random() * interval  # users arrive spread over one interval
    i = 0  # canvas updates sent
    drawing = rng.random() < args.draw_share
    step = rng.randrange(STEPS)  # users arrive in the middle of what they do
    while True:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if time.perf_counter() >= end:
            return
        step += 1
        last = step == STEPS
        if drawing:
            payload = payloads[i % len(payloads)]
            i += 1
            requests = [timed("live draw", live(client, url, "reconstruct", payload, "recon"), results)]
            if last:  # pointer-up: the finished stroke also goes to gradio
                requests.append(timed("draw", run(client, url, "draw", [payload, "ae", None], session), results))
        else:
            if not args.same_input:  # a slider dragged: one dimension moves a little
                d = rng.randrange(10)
                z[d] = min(hi[d], max(lo[d], z[d] + rng.uniform(-0.1, 0.1) * (hi[d] - lo[d])))
            code = np.round(z, 2).clip(lo, hi).tolist()
            requests = [timed("live decode", live(client, url, "decode", json.dumps({"space": "ae", "z": code}), "image"),
                              results)]
            if last:  # let go: the map's ring moves
                requests.append(timed("release", run(client, url, "release", ["ae", None, *code], session), results))
        await asyncio.gather(*requests)
        if last:
            step, drawing = 0, rng.random() < args.draw_share
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


def cpu_now() -> float:
    """User plus system CPU seconds of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def warm_up(url: str, payload: str, box: tuple[np.ndarray, np.ndarray]) -> None:
    """One call of each kind before the clock starts: first calls build caches."""
    code = ((box[0] + box[1]) / 2).round(2).tolist()
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client:
        for kind, request in (("draw", run(client, url, "draw", [payload, "ae", None], "warmup")),
                              ("release", run(client, url, "release", ["ae", None, *code], "warmup")),
                              ("live draw", live(client, url, "reconstruct", payload, "recon")),
                              ("live decode", live(client, url, "decode", json.dumps({"space": "ae", "z": code}), "image"))):
            event, detail = await request
            if event != "complete":
                raise SystemExit(f"a {kind} call failed before the load started: {event} {detail[:300]}")


async def run_slice(url: str, args: argparse.Namespace, payloads: list[list[str]], box: tuple[np.ndarray, np.ndarray],
                    users: range, start_wall: float) -> tuple[Results, float]:
    """Some of the users, from start_wall (time.time()) for args.seconds; their results and this process's CPU seconds."""
    results = Results()
    limits = httpx.Limits(max_connections=2 * len(users) + 10, max_keepalive_connections=2 * len(users) + 10)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(30.0)) as client:
        await asyncio.sleep(max(0.0, start_wall - time.time()))
        cpu0, start = cpu_now(), time.perf_counter()
        rngs = {u: random.Random(args.seed * 100_003 + u) for u in users}
        await asyncio.gather(*(user(client, url, payloads[u % len(payloads)], box, args, rngs[u], start,
                                    start + args.seconds, results) for u in users))
    return results, cpu_now() - cpu0


def load_worker(url: str, args: argparse.Namespace, payloads: list[list[str]], box: tuple[np.ndarray, np.ndarray],
                users: range, start_wall: float) -> tuple[Results, float]:
    """A load-generator process: one Python process can't drive 50 users without becoming the bottleneck itself."""
    return asyncio.run(run_slice(url, args, payloads, box, users, start_wall))


def run_users(url: str, pid: int, args: argparse.Namespace, payloads: list[list[str]],
              box: tuple[np.ndarray, np.ndarray]) -> tuple[Results, dict, float, float]:
    """All users, split over args.processes processes; (results, peak server memory, seconds, load-generator CPU s)."""
    asyncio.run(warm_up(url, payloads[0][0], box))
    slices = [range(k, args.users, args.processes) for k in range(args.processes)]
    start_wall = time.time() + START_MARGIN_S  # every process starts its users at the same moment
    results, peak, client_cpu = Results(), {}, 0.0
    with ProcessPoolExecutor(args.processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(load_worker, url, args, payloads, box, users, start_wall) for users in slices]
        while time.time() < start_wall:
            time.sleep(0.05)
        start = time.perf_counter()
        while not all(f.done() for f in futures):
            for k, v in memory_mb(pid).items():
                peak[k] = max(peak.get(k, 0.0), v)
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        for f in futures:
            part, cpu = f.result()
            client_cpu += cpu
            for kind, times in part.latencies.items():
                results.latencies[kind] += times
            results.errors.update(part.errors)
            results.examples += part.examples[:5 - len(results.examples)]
    return results, peak, elapsed, client_cpu


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
        cpu_before = cpu_seconds(proc.pid)
        results, peak, elapsed, client_cpu = run_users(url, proc.pid, args, payloads, box)
        server_cpu = cpu_seconds(proc.pid) - cpu_before  # the warm-up and the margin before the start are idle
        alive = proc.poll() is None
    everything = [t for kind in KINDS for t in results.latencies[kind]]
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
    pace = f"one step per {s['interval_ms']:.0f} ms each" if s["offered_per_s"] else "steps back to back"
    print(f"{s['users']} users for {s['seconds']} s, {pace}{', identical inputs' if s['same_input'] else ''}: "
          f"offered {s['offered_per_s'] or '-'} steps/s ({STEPS + 1} requests per {STEPS} steps), "
          f"completed {s['completed_per_s']} requests/s")
    for kind in ("all", *KINDS):
        p = lat[kind]
        if p["n"]:
            print(f"  {kind:11s} n={p['n']:6d}  p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  p99 {p['p99']:7.1f} ms  max {p['max']:7.1f} ms")
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
