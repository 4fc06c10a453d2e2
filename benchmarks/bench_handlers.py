"""Time app.py's handlers and the live routes' work, called directly in this process: no server, no browser, no network.

AE_WEIGHTS=runs/smoke python benchmarks/bench_handlers.py      # the small stand-in weights
python benchmarks/bench_handlers.py --n 1000 --warmup 50         # weights/, more calls
python benchmarks/bench_handlers.py --threads 1                  # torch.set_num_threads(1) after app's import
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python benchmarks/...` finds app and ae

TARGET_MS = {"api_reconstruct": 5.0, "api_decode": 5.0}  # p50 targets; the others are reported only


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="timed calls per handler (default: 300)")
    p.add_argument("--warmup", type=int, default=30, help="untimed calls per handler first (default: 30)")
    p.add_argument("--threads", type=int, default=None,
                   help="torch intra-op threads to set after importing app (default: whatever app leaves)")
    return p.parse_args(argv)


def drawn_payload(digit, side: int = 64) -> str:
    """A test digit (28, 28) uint8 as the canvas sends a drawing: scaled smoothly to side x side, white on black."""
    import numpy as np
    from PIL import Image

    from ae.canvas import encode_payload
    ink = np.asarray(Image.fromarray(digit.numpy()).resize((side, side), Image.BILINEAR))
    return encode_payload(ink, seq=1)


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
    from ae.live import decode_code, reconstruct_drawing
    load_s = time.perf_counter() - t0
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    payloads = [drawn_payload(app.A.examples[i]) for i in range(len(app.A.examples))]  # one drawing per digit
    drawings = [app.on_draw(p, "ae", None) for p in payloads]
    codes = [tuple(d[-10:]) for d in drawings]  # the sliders' values after each drawing, inside their ranges
    images = [d[2] for d in drawings]  # what the model saw, 28x28 in [0, 1]
    cases = {
        "live reconstruct": (reconstruct_drawing, [(app.S["ae"], p) for p in payloads]),
        "live decode": (decode_code, [(app.S, json.dumps({"space": "ae", "z": list(z)})) for z in codes]),
        "on_draw": (app.on_draw, [(p, "ae", None) for p in payloads]),
        "on_release": (app.on_release, [("ae", None, *z) for z in codes]),
        "api_reconstruct": (app.api_reconstruct, [(x,) for x in images]),
        "api_decode": (app.api_decode, [(list(z),) for z in codes]),
        "api_encode": (app.api_encode, [(x,) for x in images]),
        "on_sample": (app.on_sample, [("normal", "ae", x) for x in images]),
    }

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"weights: {app.WEIGHTS_DIR} (loaded with app in {load_s:.1f} s); "
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
