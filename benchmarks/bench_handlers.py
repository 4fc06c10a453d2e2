"""Time app.py's handlers and the live routes' work, called directly in this process: no server, no browser, no network.

AE_WEIGHTS=runs/smoke python benchmarks/bench_handlers.py      # the small stand-in weights
python benchmarks/bench_handlers.py --n 1000 --warmup 50         # weights/, more calls
python benchmarks/bench_handlers.py --threads 2                  # two torch threads (the server runs one)
"""
import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # `python benchmarks/...` finds app, ae and the drawing generator

TARGET_MS = {"api_reconstruct": 5.0, "api_decode": 5.0}  # p50 targets; the others are reported only


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="timed calls per handler (default: 300)")
    p.add_argument("--warmup", type=int, default=30, help="untimed calls per handler first (default: 30)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads, as app.py's launch sets them (default: 1)")
    return p.parse_args(argv)


def drawn_payloads(n: int) -> list[str]:
    """Drawings as the page sends them: generated mouse digits (tests/drawn_digits.py) in canvas pixels."""
    import numpy as np

    from drawn_digits import drawn_digits
    return [json.dumps({"strokes": [np.round(np.array(s) * 280, 1).tolist() for s in d.strokes]})
            for d in drawn_digits(n, seed=0)]


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile (0..100) of xs by nearest rank."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, args_cycle: list[tuple], n: int, warmup: int) -> list[float]:
    """Milliseconds of n calls of fn, cycling through args_cycle, after warmup untimed calls."""
    for k in range(warmup):
        fn(*args_cycle[k % len(args_cycle)])
    out = []
    for k in range(n):
        args = args_cycle[k % len(args_cycle)]
        t0 = time.perf_counter_ns()
        fn(*args)
        out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    t0 = time.perf_counter()
    import torch

    import app  # loads the weights from AE_WEIGHTS (default weights/) once, as the server does
    from ae.config import WEIGHTS_DIR
    from ae.inference import clamp_to_box, encode
    from ae.live import decode_code, reconstruct_drawing
    from ae.strokes import drawing_to_input, parse_drawing
    load_s = time.perf_counter() - t0
    torch.set_num_threads(args.threads)

    payloads = drawn_payloads(20)
    images = [drawing_to_input(parse_drawing(p))[0, 0].tolist() for p in payloads]  # what the model sees, 28x28
    codes = [clamp_to_box(encode(app.S["ae"].model, torch.tensor(x)[None, None]), app.S["ae"]).tolist() for x in images]
    every = json.dumps(list(app.S))
    cases = {
        "on_sample": (app.on_sample, [("normal",)]),
        "on_prior": (app.on_prior, [()]),
        "on_interpolate": (app.on_interpolate, [(-1, 3, p) for p in payloads]),
        "api_reconstruct": (app.api_reconstruct, [(x,) for x in images]),
        "api_decode": (app.api_decode, [(z,) for z in codes]),
        "api_encode": (app.api_encode, [(x,) for x in images]),
        "live reconstruct": (reconstruct_drawing, [(app.S, f'{{"drawing": {p}, "spaces": {every}}}') for p in payloads]),
        "live decode": (decode_code, [(app.S, json.dumps({"space": "ae", "z": z})) for z in codes]),
    }

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"weights: {WEIGHTS_DIR} (loaded with app in {load_s:.1f} s); "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {loadavg()}; "
          f"python {platform.python_version()}, torch {torch.__version__}")
    print(f"torch threads: {torch.get_num_threads()} intra-op, {torch.get_num_interop_threads()} inter-op")
    print(f"calls: {args.n} timed per handler after {args.warmup} warm-up calls; times in ms\n")
    print(f"| {'handler':<16} | {'p50':>7} | {'p95':>7} | {'max':>7} | target p50 |")
    print(f"|{'-' * 18}|{'-' * 9}|{'-' * 9}|{'-' * 9}|------------|")
    for name, (fn, arg_cycle) in cases.items():
        ms = timed(fn, arg_cycle, args.n, args.warmup)
        p50, p95 = statistics.median(ms), percentile(ms, 95)
        target = TARGET_MS.get(name)
        verdict = f"< {target:g} {'ok' if p50 < target else 'MISSED'}" if target else ""
        print(f"| {name:<16} | {p50:7.2f} | {p95:7.2f} | {max(ms):7.2f} | {verdict:<10} |")
    print(f"\nload average after: {loadavg()}")


if __name__ == "__main__":
    main()
