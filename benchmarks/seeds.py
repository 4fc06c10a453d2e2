"""Does the recipe train for every seed? Test MSE per seed, and the lesson's figures measured on each.

python benchmarks/seeds.py                                 # AE and VAE, seeds 0-4, 250 steps (16,000 images, batch 64)
python benchmarks/seeds.py --without-mean-start            # the same with the decoder's output starting at 0.5
python benchmarks/seeds.py --seeds 1 2 3 --limit 0 --epochs 5 --lesson --out weights/seeds.json   # the lesson's spread
python benchmarks/seeds.py --limit 0 --epochs 20 --device cuda --jobs 5    # the full recipe, side by side on a GPU

Each seed trains in its own process (--jobs at a time, one torch thread each on the CPU). With --lesson, each
autoencoder gets the samplers fitted to its codes and each model is scored on 10,000 samples as in the sampling
table (benchmarks/sampling_table.py) for the rows that carry the lesson: AE + N(0, I), AE + a full-covariance
Gaussian, AE + a mixture of 10 Gaussians, and the VAE's prior.
"""
import argparse
import json
import multiprocessing
import platform
import shlex
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python benchmarks/...` finds train and ae

LESSON = [("ae", "normal", "AE + N(0, I)"), ("ae", "full", "AE + full Gaussian fitted to the codes"),
          ("ae", "gmm", "AE + mixture of 10 Gaussians fitted to the codes"),
          ("vae", "normal", "VAE + its prior N(0, I)")]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="seeds to train (default: 0 1 2 3 4)")
    p.add_argument("--models", nargs="+", choices=["ae", "vae"], default=["ae", "vae"], help="models (default: ae vae)")
    p.add_argument("--limit", type=int, default=16000, help="training images, 0 for all 60,000 (default: 16000)")
    p.add_argument("--epochs", type=int, default=1, help="passes over them (default: 1)")
    p.add_argument("--batch-size", type=int, default=64, help="images per step (default: 64)")
    p.add_argument("--lesson", action="store_true", help="also score the lesson's sampling rows for each seed")
    p.add_argument("--without-mean-start", action="store_true",
                   help="the recipe before the fix: the decoder's output layer starts with a zero bias")
    p.add_argument("--device", default="cpu", help="torch device to train on (default: cpu)")
    p.add_argument("--jobs", type=int, default=2, help="seeds trained at once, one process each (default: 2)")
    p.add_argument("--out", type=Path, default=None, help="write the results to this JSON file")
    return p.parse_args(argv)


def train_one(model_name: str, seed: int, args: argparse.Namespace) -> dict:
    """One model and seed in a fresh process: its test MSE history and, with --lesson, its sampling rows."""
    import torch

    import ae.model
    import train
    from ae.data import load_mnist, to_float

    torch.set_num_threads(1)
    if args.without_mean_start:
        ae.model.start_at_mean = lambda decoder, mean_pixel=None: None  # the seed's He init alone
    data = load_mnist()
    x_train = to_float(data.train_images[:args.limit or None])
    x_test = to_float(data.test_images)
    start = time.perf_counter()
    model, history = train.fit(model_name, x_train, x_test, latent_dim=10, epochs=args.epochs,
                               batch_size=args.batch_size, lr=1e-3, seed=seed, log=False, device=args.device)
    result = {"model": model_name, "seed": seed, "steps": args.epochs * -(-len(x_train) // args.batch_size),
              "test_mse": history[-1]["test_mse"], "history": [h["test_mse"] for h in history],
              "wall_time_s": round(time.perf_counter() - start, 1)}
    if args.lesson:
        result["rows"] = lesson_rows(model_name, model.cpu(), data, seed)
    return result


def lesson_rows(model_name: str, model, data, seed: int) -> dict:
    """The judge's verdict on 10,000 samples of each lesson row of this model, keyed by strategy."""
    import numpy as np
    import torch

    from ae.config import WEIGHTS_DIR
    from ae.data import to_float
    from ae.evaluation import apply_batched
    from ae.judge import judge_all, mean_cov, score_images
    from ae.metrics import real_set
    from ae.latent import encode_all
    from ae.model import load_model
    from ae.sampling import fit_samplers, sample_latents

    judge, _ = load_model(WEIGHTS_DIR / "classifier.safetensors", "Classifier")
    ref_feats = judge_all(judge, to_float(data.test_images))[0]  # (N, 128)
    (ref_mu, ref_cov), real = mean_cov(ref_feats), real_set(ref_feats.double().numpy())
    params = fit_samplers(encode_all(model, data.train_images), seed=seed)
    rows = {}
    for name, strategy, _ in LESSON:
        if name == model_name:
            z = torch.from_numpy(sample_latents(strategy, 10_000, params, np.random.default_rng(0)))  # (N, k)
            rows[strategy] = score_images(judge, apply_batched(model.decode, z), ref_mu, ref_cov, real)
    return rows


def spread(values: list[float], digits: int = 3) -> str:
    return f"{statistics.mean(values):.{digits}f} ({min(values):.{digits}f} to {max(values):.{digits}f})"


# the lesson's columns: (key in a scored row, heading, digits); the shares are printed as fractions
COLUMNS = [("realistic_share", "among real digits", 3), ("precision", "precision", 3), ("recall", "recall", 3),
           ("density", "density", 3), ("coverage", "coverage", 3), ("confident_share", "share >= 0.9", 3),
           ("frechet", "Frechet distance", 0)]


def print_lesson(results: list[dict], seeds: list[int]) -> None:
    """The lesson's rows scored on each seed's models, as a table: mean (range) over the seeds per column."""
    print("\nthe lesson's rows, 10,000 samples each: mean (range) over seeds " + ", ".join(map(str, seeds)))
    print("| row | " + " | ".join(heading for _, heading, _ in COLUMNS) + " |")
    print("|---|" + "---:|" * len(COLUMNS))
    for m, strategy, label in LESSON:
        rows = [r["rows"][strategy] for r in results if r["model"] == m]
        if rows:
            print(f"| {label} | " + " | ".join(spread([r[key] for r in rows], digits) for key, _, digits in COLUMNS)
                  + " |")


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    start = time.perf_counter()
    jobs = [(m, s) for m in args.models for s in args.seeds]
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(train_one, *zip(*jobs), [args] * len(jobs)))
    wall = time.perf_counter() - start

    recipe = "zero output bias (before the fix)" if args.without_mean_start else "output bias at the mean pixel"
    print(f"command: {shlex.join(['python', 'benchmarks/seeds.py', *argv])}")
    print(f"{recipe}; {results[0]['steps']} steps of {args.batch_size} on {args.limit or 60000} images "
          f"({args.epochs} epoch{'s' if args.epochs > 1 else ''}); {args.device}, {platform.machine()}; "
          f"{len(jobs)} runs in {wall:.0f} s, {args.jobs} at a time\n")
    print("| model | " + " | ".join(f"seed {s}" for s in args.seeds) + " |")
    print("|---|" + "---:|" * len(args.seeds))
    for m in args.models:
        print(f"| {m} | " + " | ".join(f"{r['test_mse']:.4f}" for r in results if r["model"] == m) + " |")
    if args.lesson:
        print_lesson(results, args.seeds)
    summary = {"command": shlex.join(["python", "benchmarks/seeds.py", *argv]), "recipe": recipe,
               "epochs": args.epochs, "limit": args.limit, "batch_size": args.batch_size, "device": args.device,
               "wall_time_s": round(wall, 1),
               "lesson": [{"model": m, "source": s, "row": label} for m, s, label in LESSON], "runs": results}
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1))
        print(f"wrote {args.out}")
    return summary


if __name__ == "__main__":
    main()
