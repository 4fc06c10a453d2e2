"""How small can the code be? Test MSE, and where N(0, I) samples land among real digits, per code size.

python benchmarks/bottleneck.py     # the shipped ae_d*, ae, vae and vae_d2
                                    # -> weights/bottleneck.json, docs/bottleneck.svg

For each code size D: the autoencoder's test MSE (10,000 test digits), PCA's with D components (fitted here in
seconds), and for 10,000 codes from N(0, I) drawn by the decoder: in the judge's feature space against the 10,000 test
digits, precision and recall (k = 3), density and coverage (k = 5), the share with realism score >= 1 (among real
digits) and the Frechet distance; the share the judge calls a digit with confidence >= 0.9; and the share of the codes
that lies off the data as the page's meter sees it (farther from every one of 10,000 training codes than 99% of the
test digits' codes are). The VAE's at the sizes it was trained at.
"""
import argparse
import json
import shlex
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python benchmarks/...` finds ae

from ae.config import CODE_SIZES, WEIGHTS_DIR, model_stem  # noqa: E402
from ae.data import load_mnist, to_float  # noqa: E402
from ae.evaluation import apply_batched  # noqa: E402
from ae.inference import WARN_PERCENTILE  # noqa: E402
from ae.judge import judge_all, mean_cov, score_images  # noqa: E402
from ae.latent import encode_all  # noqa: E402
from ae.metrics import real_set  # noqa: E402
from ae.meter import distance_percentile, meter_codes, meter_reference, nearest  # noqa: E402
from ae.model import load_model  # noqa: E402
from ae.pca import fit_pca  # noqa: E402
from ae.plots import curves_svg  # noqa: E402


METRICS = ["precision", "recall", "density", "coverage", "realistic_share"]  # ae.metrics.sample_metrics' keys


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--weights", type=Path, default=WEIGHTS_DIR,
                   help=f"folder train.py wrote (default: {WEIGHTS_DIR.name}/)")
    p.add_argument("--n", type=int, default=10_000, help="N(0, I) samples per model (default: 10000)")
    p.add_argument("--out", type=Path, default=None, help="JSON to write (default: <weights>/bottleneck.json)")
    p.add_argument("--figure", type=Path, default=ROOT / "docs" / "bottleneck.svg",
                   help="SVG to write (default: docs/bottleneck.svg)")
    return p.parse_args(argv)


@torch.no_grad()
def test_mse(model, x: torch.Tensor) -> float:
    return (apply_batched(model, x) - x).pow(2).mean().item()


@torch.no_grad()
def off_the_data(model, data, z: torch.Tensor) -> float:
    """Share of codes z (n, d) farther from every meter code than 99% of the test digits' codes: red on the meter."""
    ref = meter_codes(encode_all(model, data.train_images)).double()
    reference = meter_reference(ref, encode_all(model, data.test_images))
    distances = nearest(ref, z)[0]
    return sum(distance_percentile(d, reference) > WARN_PERCENTILE for d in distances.tolist()) / len(z)


CELLS = ["precision", "recall", "density", "coverage", "among real digits", "judged a digit", "off the data", "Frechet"]


def sample_cells(r: dict | None) -> list[str]:
    """One model's N(0, I) figures at one code size, in the order of CELLS ("-" each where it was not trained)."""
    if r is None:
        return ["-"] * len(CELLS)
    shares = [f"{r[f'normal_{key}']:.1%}"
              for key in ("precision", "recall", "coverage", "realistic_share", "sure", "off")]
    return shares[:2] + [f"{r['normal_density']:.3f}"] + shares[2:] + [f"{r['normal_frechet']:.0f}"]


def format_bottleneck(rows: dict[str, list[dict]]) -> str:
    """The measured rows as a Markdown table: a line per code size, the AE's figures then the VAE's where trained."""
    head = (["code size", "AE test MSE", "PCA test MSE"] + [f"AE + N(0, I): {c}" for c in CELLS] + ["VAE test MSE"]
            + [f"VAE + N(0, I): {c}" for c in CELLS])
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    pca, vae = ({r["d"]: r for r in rows[m]} for m in ("pca", "vae"))
    for ae in rows["ae"]:
        d = ae["d"]
        v = vae.get(d)
        cells = [str(d), f"{ae['test_mse']:.4f}", f"{pca[d]['test_mse']:.4f}", *sample_cells(ae),
                 f"{v['test_mse']:.4f}" if v else "-", *sample_cells(v)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    start = time.perf_counter()
    data = load_mnist()
    x_train, x_test = to_float(data.train_images), to_float(data.test_images)
    judge, _ = load_model(args.weights / "classifier.safetensors", "Classifier")
    ref_feats = judge_all(judge, x_test)[0]  # (N, 128)
    ref, real = mean_cov(ref_feats), real_set(ref_feats.double().numpy())
    rows = {"ae": [], "vae": [], "pca": []}
    for model, kind in (("ae", "Autoencoder"), ("vae", "VAE")):
        for d in CODE_SIZES:
            path = args.weights / f"{model_stem(model, d)}.safetensors"
            if not path.is_file():
                continue
            net, _ = load_model(path, kind)
            z = torch.randn(args.n, d, generator=torch.Generator().manual_seed(0))
            score = score_images(judge, apply_batched(net.decode, z), *ref, real)
            rows[model].append({"d": d, "test_mse": test_mse(net, x_test), "normal_sure": score["confident_share"],
                                "normal_frechet": score["frechet"], "normal_off": off_the_data(net, data, z),
                                **{f"normal_{key}": score[key] for key in METRICS}})
            print(f"{time.perf_counter() - start:6.1f}s  {model} d={d}", file=sys.stderr, flush=True)
    for d in CODE_SIZES:
        rows["pca"].append({"d": d, "test_mse": test_mse(fit_pca(x_train, latent_dim=d), x_test)})
    print(format_bottleneck(rows))
    summary = {"command": shlex.join(["python", "benchmarks/bottleneck.py", *argv]), "n": args.n,
               "wall_time_s": round(time.perf_counter() - start, 1), **rows}
    out = args.out or args.weights / "bottleneck.json"
    out.write_text(json.dumps(summary, indent=1))
    args.figure.write_text(curves_svg(summary))
    print(f"\nwrote {out} and {args.figure}")
    return summary


if __name__ == "__main__":
    main()
