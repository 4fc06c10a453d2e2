"""A workshop room against app.py: N users loading the page and using it at human pace, over HTTP.

python benchmarks/serve_load.py                          # 200 users for 60 s
python benchmarks/serve_load.py --users 500              # a bigger room
python benchmarks/serve_load.py --same-input             # every user sends the identical drawing
python benchmarks/serve_load.py --weights runs/smoke     # stand-in weights (sets AE_WEIGHTS for the server)
python benchmarks/serve_load.py --notebooks 50           # a class's notebooks calling the API's decode instead

The models run in the page, so a page sends the server only what needs a session. The script starts `python app.py`
on 127.0.0.1 and a free port, times start-up to the first HTTP 200, and asks headless chromium once which files a
first visit loads. Then each user arrives (spread over --arrive seconds), loads the page as a first visit (GET of
every one of those files, no cache: the worst case), and every --interval-ms (with jitter) presses a button, each a
gradio event outside the queue, as the page sends it (POST /gradio_api/run/<name>):
  - Sample: 16 codes from a strategy, decoded and judged                                    50%
  - N(0, I) for both models: 32 codes decoded and judged                                    25%
  - Interpolate, from the user's drawing (sent with the click) half the time                25%
Strokes, slider steps, the decoded image, the meter, the map and the comparison run in the page and send nothing.
With --notebooks N there are no page users: N clients each call `decode` through gradio's two-step call API
(POST /gradio_api/call/decode, then GET its event stream for the result), --think-ms apart (a notebook cell that
looks at each image), half of them all with the very same code. A user waits for its answer before its next action.
Any answer other than HTTP 200 with the expected content
counts as an error. The users are split over load-generator processes (--processes) on the same machine,
which take CPU from the server: the script prints their share.
"""
import argparse
import asyncio
import gzip
import json
import multiprocessing
import os
import random
import resource
import string
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT), str(ROOT / "tests")]  # the browser conftest first

from app_server import serve_app  # noqa: E402
from drawn_digits import drawn_digits  # noqa: E402

TARGETS = {"startup_s": 6.0, "p95_ms": 300.0, "errors": 0, "peak_rss_mb": 800.0}
ACTIONS = {"sample": 0.5, "prior": 0.25, "interpolate": 0.25}  # which button a user presses, how often
STRATEGIES = ["normal", "uniform", "diag", "full", "gmm"]
START_MARGIN_S = 10.0  # time for the load-generator processes to start before the users do


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=200, help="simulated users (default: 200)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long the users keep going (default: 60)")
    p.add_argument("--arrive", type=float, default=30.0,
                   help="users arrive spread over this many seconds (default: 30)")
    p.add_argument("--interval-ms", type=float, default=10000.0,
                   help="time between one user's presses (default: 10000)")
    p.add_argument("--jitter", type=float, default=0.3,
                   help="each interval is scaled by 1 +- this, at random (default: 0.3)")
    p.add_argument("--same-input", action="store_true", help="every user sends the identical drawing")
    p.add_argument("--weights", type=Path, default=None,
                   help="weights folder for the server (default: its AE_WEIGHTS or weights/)")
    p.add_argument("--app", type=Path, default=ROOT / "app.py", help="script to serve (default: app.py)")
    p.add_argument("--processes", type=int, default=2,
                   help="load-generator processes the users are split over (default: 2)")
    p.add_argument("--seed", type=int, default=0, help="seed for the drawings, the jitter and the actions (default: 0)")
    p.add_argument("--json", type=Path, default=None, help="also write the results to this JSON file")
    p.add_argument("--notebooks", type=int, default=0,
                   help="API clients calling decode instead of page users (default: 0)")
    p.add_argument("--think-ms", type=float, default=1000.0, help="a notebook's pause between calls (default: 1000)")
    return p.parse_args(argv)


def first_visit(url: str) -> list[str]:
    """The URLs headless chromium GETs on a first visit until the page has reconstructed its first digit."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS

    urls = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: r.method == "GET" and r.resource_type not in ("eventsource", "websocket")
                and r.url.startswith(url) and r.url not in urls and urls.append(r.url))
        page.goto(url)
        page.wait_for_selector("#reconstruction:not(.empty)", timeout=60_000)
        page.wait_for_timeout(2000)
        browser.close()
    return [u for u in urls if "/heartbeat/" not in u]


def drawings(n: int, seed: int) -> list[str]:
    """Drawings as the page sends them: generated mouse digits in canvas pixels."""
    return [json.dumps({"strokes": [np.round(np.array(s) * 280, 1).tolist() for s in d.strokes]})
            for d in drawn_digits(n, seed)]


KINDS = ("page files", *ACTIONS, "api decode")


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})  # seconds
    errors: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # the first few error messages
    page_bytes: int = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{kind}: {detail[:200]}")


async def fetch(client: aiohttp.ClientSession, url: str, results: Results) -> tuple[str, str]:
    """GET a file of the page as a browser does (gzip and brotli accepted); ("complete", "") on HTTP 200.

    The bytes are counted as they arrive, not decompressed: decoding 200 users' downloads would make this process,
    not the server, the bottleneck.
    """
    async with client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"}) as r:
        size = 0
        async for chunk in r.content.iter_chunked(1 << 16):
            size += len(chunk)
        if r.status != 200:
            return f"http {r.status}", ""
    results.page_bytes += size
    return "complete", ""


async def run(client: aiohttp.ClientSession, url: str, api_name: str, data: list, session: str) -> tuple[str, str]:
    """POST an event that skips gradio's queue, as the page does (/gradio_api/run/<name>); ("complete" | ...,
    detail)."""
    async with client.post(f"{url}gradio_api/run/{api_name}", json={"data": data, "session_hash": session},
                           headers={"Accept-Encoding": "gzip, deflate, br"}) as r:
        body = await r.read()
        text = (gzip.decompress(body) if r.headers.get("Content-Encoding") == "gzip" else body).decode()
        if r.status != 200:
            return f"http {r.status}", text
    return ("complete", "") if "<img" in text else ("bad answer", text)


async def timed(kind: str, request, results: Results) -> None:
    """Await one request and file its latency, or its failure, under kind."""
    sent = time.perf_counter()
    try:
        event, detail = await request
    except Exception as e:  # timeouts, refused or broken connections: all errors to a user
        event, detail = type(e).__name__, repr(e)
    if event == "complete":
        results.latencies[kind].append(time.perf_counter() - sent)
    else:
        results.error(f"{kind} {event}", detail)


async def user(client: aiohttp.ClientSession, url: str, files: list[str], mine: list[str], args: argparse.Namespace,
               rng: random.Random, start: float, end: float, results: Results) -> None:
    """One person: arrives, loads the page, then acts every interval (with jitter) until end."""
    session = "".join(rng.choices(string.ascii_lowercase + string.digits, k=11))  # as the page makes one
    await asyncio.sleep(max(0.0, start + rng.random() * args.arrive - time.perf_counter()))
    for f in files:  # a first visit: every file, one after another as the page's imports unfold
        await timed("page files", fetch(client, f, results), results)
    interval = args.interval_ms / 1000
    due, i = time.perf_counter() + interval * rng.random(), 0
    while True:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if time.perf_counter() >= end:
            return
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        if action == "sample":
            request = run(client, url, "sample", [rng.choice(STRATEGIES)], session)
        elif action == "prior":
            request = run(client, url, "prior", [], session)
        else:  # from the user's drawing or a test digit, to a test digit
            request = run(client, url, "interpolate", [rng.choice([-1, rng.randrange(10)]), rng.randrange(10),
                                                        mine[i % len(mine)]], session)
            i += 1
        await timed(action, request, results)
        due = max(due + interval * (1 + rng.uniform(-args.jitter, args.jitter)), time.perf_counter())


async def call_decode(client: aiohttp.ClientSession, url: str, code: list[float]) -> tuple[str, str]:
    """gradio's two-step call API, as gradio_client and a notebook use it: POST the call, then read its event stream."""
    async with client.post(f"{url}gradio_api/call/decode", json={"data": [code]}) as r:
        text = await r.text()
        if r.status != 200:
            return f"http {r.status}", text
    async with client.get(f"{url}gradio_api/call/decode/{json.loads(text)['event_id']}") as r:
        stream = await r.text()
    return ("complete", "") if "event: complete" in stream and '"image"' in stream else ("bad answer", stream[-200:])


async def notebook(client: aiohttp.ClientSession, url: str, u: int, args: argparse.Namespace, rng: random.Random,
                   start: float, end: float, results: Results) -> None:
    """One notebook: arrives, then decodes a code every think time until end; even ones all send the same code."""
    await asyncio.sleep(max(0.0, start + rng.random() * args.arrive - time.perf_counter()))
    while time.perf_counter() < end:
        code = [0.5] * 10 if u % 2 == 0 else [rng.uniform(-2, 2) for _ in range(10)]
        await timed("api decode", call_decode(client, url, code), results)
        await asyncio.sleep(args.think_ms / 1000 * (1 + rng.uniform(-args.jitter, args.jitter)))


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


async def run_slice(url: str, args: argparse.Namespace, files: list[str], payloads: list[list[str]], users: range,
                    start_wall: float) -> tuple[Results, float]:
    """Some of the users, from start_wall (time.time()) for args.seconds; their results and this process's CPU
    seconds."""
    results = Results()
    connector = aiohttp.TCPConnector(limit=2 * len(users) + 10)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60),
                                     auto_decompress=False) as client:
        await asyncio.sleep(max(0.0, start_wall - time.time()))
        cpu0, start = cpu_now(), time.perf_counter()
        rngs = {u: random.Random(args.seed * 100_003 + u) for u in users}
        end = start + args.seconds
        await asyncio.gather(*(notebook(client, url, u, args, rngs[u], start, end, results) if args.notebooks else
                               user(client, url, files, payloads[u % len(payloads)], args, rngs[u], start, end, results)
                               for u in users))
    return results, cpu_now() - cpu0


def load_worker(*args) -> tuple[Results, float]:
    """A load-generator process: one Python process can't drive hundreds of users without becoming the bottleneck."""
    return asyncio.run(run_slice(*args))


def run_users(url: str, pid: int, args: argparse.Namespace, files: list[str],
              payloads: list[list[str]]) -> tuple[Results, dict, float, float]:
    """All users, split over args.processes processes; (results, peak server memory, seconds, load-generator CPU s)."""
    clients = args.notebooks or args.users
    slices = [range(k, clients, args.processes) for k in range(args.processes)]
    start_wall = time.time() + START_MARGIN_S  # every process starts its users at the same moment
    results, peak, client_cpu = Results(), {}, 0.0
    with ProcessPoolExecutor(args.processes, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(load_worker, url, args, files, payloads, users, start_wall) for users in slices]
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
            results.page_bytes += part.page_bytes
    return results, peak, elapsed, client_cpu


def percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"n": 0}
    ms = np.array(seconds) * 1000
    return {"n": len(ms), "p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "p99": float(np.percentile(ms, 99)), "max": float(ms.max())}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mine = drawings(60, args.seed)
    payloads = [mine[:1]] if args.same_input else [mine[u % 60:] + mine[:u % 60] for u in range(args.users)]
    env = {"AE_WEIGHTS": str(args.weights)} if args.weights is not None else None
    start = time.perf_counter()
    with serve_app([sys.executable, str(args.app)], env=env, timeout=120) as served:
        proc, url, startup = served.proc, served.url, time.perf_counter() - start
        idle = memory_mb(proc.pid)
        print(f"start-up: {startup:.2f} s to the first HTTP 200 ({args.app.name}, {url}); "
              f"idle RSS {idle['VmRSS']:.0f} MB (anon {idle['RssAnon']:.0f}, file {idle['RssFile']:.0f})")
        files = [] if args.notebooks else first_visit(url)
        if files:
            print(f"a first visit GETs {len(files)} files")
        cpu_before = cpu_seconds(proc.pid)
        results, peak, elapsed, client_cpu = run_users(url, proc.pid, args, files, payloads)
        server_cpu = cpu_seconds(proc.pid) - cpu_before
        alive = proc.poll() is None
        log = served.output()
    actions = [t for kind in (*ACTIONS, "api decode") for t in results.latencies[kind]]
    everything = actions + results.latencies["page files"]
    summary = {
        "users": args.notebooks or args.users, "notebooks": bool(args.notebooks), "seconds": round(elapsed, 1),
        "interval_ms": args.interval_ms, "same_input": args.same_input,
        "app": args.app.name, "startup_s": round(startup, 2), "page_files": len(files),
        "page_mb_per_user": round(results.page_bytes / max(1, len(results.latencies["page files"]) / max(1, len(files)))
                                  / 1e6, 2),
        "completed_per_s": round(len(everything) / elapsed, 1),
        "latency_ms": {"all": percentiles(everything), "actions": percentiles(actions),
                       **{k: percentiles(v) for k, v in results.latencies.items()}},
        "errors": sum(results.errors.values()), "error_kinds": dict(results.errors), "error_examples": results.examples,
        "idle_rss_mb": round(idle["VmRSS"]), "peak_rss_mb": round(peak.get("VmRSS", 0)),
        "server_cpu_share": round(server_cpu / elapsed, 2), "client_cpu_share": round(client_cpu / elapsed, 2),
        "cpus": os.cpu_count(), "server_alive": alive, "tracebacks_in_log": log.count("Traceback"),
    }
    report(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def report(s: dict) -> None:
    lat = s["latency_ms"]
    if s["notebooks"]:
        print(f"{s['users']} notebooks for {s['seconds']} s calling decode through the call API: "
              f"completed {s['completed_per_s']} calls/s")
    else:
        print(f"{s['users']} users for {s['seconds']} s, a button per {s['interval_ms']:.0f} ms each after loading the "
              f"page ({s['page_files']} files, {s['page_mb_per_user']} MB)"
              f"{', identical inputs' if s['same_input'] else ''}: completed {s['completed_per_s']} requests/s")
    for kind in ("all", "actions", *KINDS):
        p = lat[kind]
        if p["n"]:
            print(f"  {kind:11s} n={p['n']:6d}  p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  "
                  f"p99 {p['p99']:7.1f} ms  max {p['max']:7.1f} ms")
    print(f"  errors: {s['errors']} {s['error_kinds'] or ''}")
    for line in s["error_examples"]:
        print(f"    {line}")
    print(f"  server RSS: idle {s['idle_rss_mb']} MB, peak {s['peak_rss_mb']} MB; "
          f"tracebacks in its log: {s['tracebacks_in_log']}")
    print(f"  CPU: server {s['server_cpu_share']:.2f} cores, load generator {s['client_cpu_share']:.2f} cores, "
          f"of {s['cpus']}")
    checks = {"start-up < 6 s": s["startup_s"] < TARGETS["startup_s"], "zero errors": s["errors"] == TARGETS["errors"],
              "p95 <= 300 ms": lat["all"].get("p95", float("inf")) <= TARGETS["p95_ms"],
              "peak RSS < 800 MB": s["peak_rss_mb"] < TARGETS["peak_rss_mb"], "server alive": s["server_alive"]}
    print("  targets: " + ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in checks.items()))


if __name__ == "__main__":
    main()
