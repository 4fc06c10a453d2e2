"""Time app.py's handlers and the live routes' work, called directly in this process: no server, no browser, no network.

python benchmarks/bench_handlers.py                              # weights/, the server's ONNX Runtime beside torch
python benchmarks/bench_handlers.py --n 1000 --warmup 50         # more calls

Each handler runs twice in one run, interleaved: as the app serves it (ONNX Runtime, one thread) and with the same
models in torch (one thread) put in their place, so the two columns share the machine's load.
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
# `python benchmarks/...` finds app, ae and the drawing generator; benchmarks/ itself leaves the path, or its
# bottleneck.py would stand in for the package of that name that pandas (under gradio) looks for
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [p for p in sys.path if Path(p).resolve() != ROOT / "benchmarks"]

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300, help="timed calls per handler (default: 300)")
    p.add_argument("--warmup", type=int, default=30, help="untimed calls per handler first (default: 30)")
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


def ort_version() -> str:
    import onnxruntime
    return onnxruntime.__version__


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


class TorchModel:
    """A model in torch with the interface of ae.runtime.Model (numpy in and out): what the server ran before."""

    def __init__(self, spec):
        import torch

        from ae.config import WEIGHTS_DIR
        from ae.model import load_model
        self.torch, self.model = torch, load_model(WEIGHTS_DIR / spec.weights)[0]

    def encode(self, x):
        with self.torch.no_grad():
            return self.model.encode(self.torch.from_numpy(x)).numpy()

    def decode(self, z):
        with self.torch.no_grad():
            return self.model.decode(self.torch.from_numpy(z)).clamp(0, 1).numpy()

    def judge(self, x):
        with self.torch.no_grad():
            features = self.model.features(self.torch.from_numpy(x))
            return features.numpy(), self.model.head(features).numpy()


def in_torch(app) -> dict:
    """app's spaces and judge with torch models in place of the ONNX sessions, to swap in and out."""
    import dataclasses

    from ae.registry import JUDGE
    spaces = {n: dataclasses.replace(s, model=TorchModel(s.spec)) for n, s in app.S.items()}
    return {"spaces": spaces, "assets": dataclasses.replace(app.A, judge=TorchModel(JUDGE))}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    t0 = time.perf_counter()
    import app  # loads the weights from AE_WEIGHTS (default weights/) once, as the server does
    import numpy as np
    from ae.checks import parse_drawing
    from ae.config import WEIGHTS_DIR
    from ae.inference import clamp_to_box, encode
    from ae.live import decode_code, reconstruct_drawing
    from ae.strokes import drawing_to_input
    load_s = time.perf_counter() - t0
    import torch
    torch.set_num_threads(1)  # as the server ran it

    payloads = drawn_payloads(20)
    images = [drawing_to_input(parse_drawing(p))[0, 0].tolist() for p in payloads]  # what the model sees, 28x28
    codes = [clamp_to_box(encode(app.S["ae"], np.array(x, np.float32)[None, None]), app.S["ae"]).tolist()
             for x in images]
    served = {"spaces": dict(app.S), "assets": app.A}
    backends = {"onnxruntime": served, "torch": in_torch(app)}

    def use(backend: str) -> None:
        app.S.update(backends[backend]["spaces"])  # app.S is app.A.spaces: the handlers read both
        app.A = backends[backend]["assets"]
    every = json.dumps(list(app.S))
    cases = {
        "on_sample": (app.on_sample, [("normal",)]),
        "on_prior": (app.on_prior, [()]),
        "on_interpolate": (app.on_interpolate, [(-1, 3, p) for p in payloads]),
        "api_reconstruct": (app.api_reconstruct, [(x,) for x in images]),
        "api_decode": (app.api_decode, [(z,) for z in codes]),
        "api_encode": (app.api_encode, [(x,) for x in images]),
        "live reconstruct": (reconstruct_drawing,
                             [(app.S, f'{{"drawing": {p}, "spaces": {every}}}') for p in payloads]),
        "live decode": (decode_code, [(app.S, json.dumps({"space": "ae", "z": z})) for z in codes]),
    }

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(f"weights: {WEIGHTS_DIR} (loaded with app in {load_s:.1f} s); "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {loadavg()}; "
          f"python {platform.python_version()}, torch {torch.__version__}, onnxruntime {ort_version()}")
    print("one intra-op thread for each runtime; the torch column puts the same models, in torch, "
          "in the ONNX files' place")
    print(f"calls: {args.n} timed per handler and runtime after {args.warmup} warm-up calls, in 4 interleaved rounds; "
          "ms p50 / p95\n")
    print(f"| {'handler':<16} | {'ONNX Runtime (served)':>22} | {'torch (before)':>16} | ratio p50 |")
    print(f"|{'-' * 18}|{'-' * 24}|{'-' * 18}|-----------|")
    for name, (fn, arg_cycle) in cases.items():
        ms = {b: [] for b in backends}
        for _ in range(4):  # interleaved rounds share the load between the two columns
            for b in backends:
                use(b)
                ms[b] += timed(fn, arg_cycle, args.n // 4, args.warmup // 4)
        use("onnxruntime")
        ort_ms, torch_ms = ms["onnxruntime"], ms["torch"]
        print(f"| {name:<16} | {statistics.median(ort_ms):9.2f} / {percentile(ort_ms, 95):9.2f} | "
              f"{statistics.median(torch_ms):6.2f} / {percentile(torch_ms, 95):6.2f} | "
              f"{statistics.median(ort_ms) / statistics.median(torch_ms):9.2f} |")
    print(f"\nload average after: {loadavg()}")


if __name__ == "__main__":
    main()
