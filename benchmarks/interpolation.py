"""Walking in a straight line between two digits' codes: how digit-like the frames are, and how far from the data.

python benchmarks/interpolation.py                      # 1,000 pairs of test digits -> weights/interpolation.json
python benchmarks/interpolation.py --pairs 200 --out /tmp/i.json

For each pair of test digits (drawn at random, of different classes) and each model, 9 frames from one code to the
other, ends included, as the page's Interpolate makes them. The 7 frames between the ends are scored: the share the
judge is sure of (top probability >= 0.9), the off-manifold meter's percentile (how far the frame's code is from the
nearest training code, against real test digits), the share beyond the 99th percentile (red on the page), and per
path the farthest frame.
"""
import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python benchmarks/...` finds ae

from ae.data import load_mnist, to_float  # noqa: E402
from ae.config import FRAMES  # noqa: E402
from ae.inference import decode, interpolate, load_assets, verdicts  # noqa: E402
from ae.meter import WARN_PERCENTILE  # noqa: E402
from ae.meter import nearest  # noqa: E402



def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=1000, help="pairs of test digits (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="seed for the pairs (default: 0)")
    p.add_argument("--out", type=Path, default=None, help="JSON to write (default: <weights>/interpolation.json)")
    return p.parse_args(argv)


def pick_pairs(labels: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """n pairs (n, 2) of test-digit indices whose digits differ."""
    g = torch.Generator().manual_seed(seed)
    pairs = torch.randint(len(labels), (4 * n, 2), generator=g)
    return pairs[labels[pairs[:, 0]] != labels[pairs[:, 1]]][:n]


def walk(space, judge, x: torch.Tensor, pairs: torch.Tensor) -> dict:
    """The interior frames of every path in one model's space, scored, as the server scores them (ONNX Runtime)."""
    codes = space.model.encode(x.numpy())  # (N, k)
    paths = np.stack([interpolate(codes[a], codes[b], FRAMES)[1:-1] for a, b in pairs.tolist()])  # (P, 7, k)
    flat = paths.reshape(-1, paths.shape[-1])
    _, conf = verdicts(judge, decode(space, flat))
    d, _ = nearest(space.meter_codes, flat)
    reference = torch.from_numpy(space.meter_reference)
    d = torch.from_numpy(d).to(reference.dtype)
    pct = 100.0 * torch.searchsorted(reference, d, right=True) / len(reference)
    sure = (torch.tensor(conf) >= 0.9).reshape(len(pairs), -1)
    pct = pct.reshape(len(pairs), -1)
    red = pct > WARN_PERCENTILE
    return {"frames_sure": sure.double().mean().item(), "middle_sure": sure[:, FRAMES // 2 - 1].double().mean().item(),
            "paths_all_sure": sure.all(dim=1).double().mean().item(),
            "frames_red": red.double().mean().item(), "paths_with_red": red.any(dim=1).double().mean().item(),
            "median_percentile": pct.median().item(), "median_worst_percentile": pct.max(dim=1).values.median().item()}


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    start = time.perf_counter()
    assets = load_assets()
    data = load_mnist()
    pairs = pick_pairs(data.test_labels, args.pairs, args.seed)
    x = to_float(data.test_images)
    results = {name: walk(assets.spaces[name], assets.judge, x, pairs) for name in ("ae", "vae")}
    print(f"{len(pairs)} pairs of test digits of different classes, {FRAMES - 2} frames between the ends of each\n")
    print("| model | frames the judge is sure of | middle frame sure | paths sure throughout | frames red "
          "(beyond the 99th percentile) | paths with a red frame | median percentile | median of each path's worst |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {assets.spaces[name].title} | {r['frames_sure']:.1%} | {r['middle_sure']:.1%} | "
              f"{r['paths_all_sure']:.1%} | {r['frames_red']:.1%} | {r['paths_with_red']:.1%} | "
              f"{r['median_percentile']:.0f} | {r['median_worst_percentile']:.0f} |")
    summary = {"command": shlex.join(["python", "benchmarks/interpolation.py", *argv]), "pairs": len(pairs),
               "frames": FRAMES, "wall_time_s": round(time.perf_counter() - start, 1), **results}
    out = args.out or Path(__file__).resolve().parent.parent / "weights" / "interpolation.json"
    out.write_text(json.dumps(summary, indent=1))
    print(f"\nwrote {out}")
    return summary


if __name__ == "__main__":
    main()
