"""The measured table: how digit-like the judge finds 10,000 images from each model and sampling strategy.

python benchmarks/sampling_table.py                                # weights/ -> weights/sampling_table.json
python benchmarks/sampling_table.py --weights runs/tbl --n 1000    # smaller stand-ins, a quicker run
"""
import argparse
import json
import platform
import shlex
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python benchmarks/...` finds the ae package

from ae.config import DATA_DIR, WEIGHTS_DIR  # noqa: E402
from ae.data import load_mnist  # noqa: E402
from ae.evaluation import format_table, load_contestants, sampling_rows  # noqa: E402
from ae.model import load_model  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", type=Path, default=WEIGHTS_DIR,
                   help=f"folder train.py wrote (default: {WEIGHTS_DIR.name}/)")
    p.add_argument("--n", type=int, default=10_000, help="images per row (default: 10000)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed for the samples and the subsets of real digits (default: 0)")
    p.add_argument("--out", type=Path, default=None, help="JSON to write (default: <weights>/sampling_table.json)")
    p.add_argument("--data", type=Path, default=DATA_DIR,
                   help=f"MNIST root in torchvision's layout (default: {DATA_DIR.name}/)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    start = time.perf_counter()
    judge, judge_facts = load_model(args.weights / "classifier.safetensors", "Classifier")
    models, params, notes = load_contestants(args.weights)
    data = load_mnist(args.data)
    rows = []
    for row in sampling_rows(judge, data, models, params, n=args.n, seed=args.seed):
        rows.append(row)
        print(f"{time.perf_counter() - start:6.1f}s  {row['row']}", file=sys.stderr, flush=True)
    wall = time.perf_counter() - start
    for note in notes:
        print(f"note: {note}")
    print(format_table(rows))
    print(f"\n{len(rows)} rows of {args.n:,} images, seed {args.seed}, against the {len(data.test_images):,} test "
          f"digits; wall time {wall:.1f}s ({torch.get_num_threads()} threads)")
    result = {
        "command": shlex.join(["python", "benchmarks/sampling_table.py", *argv]),
        "n": args.n,
        "seed": args.seed,
        "reference": f"judge features of the {len(data.test_images):,} MNIST test digits",
        "judge_test_accuracy": judge_facts.get("test_accuracy"),
        "wall_time_s": round(wall, 1),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        "torch": torch.__version__,
        "notes": notes,
        "rows": rows,
    }
    out = args.out or args.weights / "sampling_table.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
