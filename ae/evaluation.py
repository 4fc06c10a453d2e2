"""The measured table: how digit-like the judge finds images sampled from each model, beside real digits.

Every row scores n images with ae.judge.score_images against the judge's features of the whole test set: the
Frechet distance, and where the images fall among the test digits' features (precision, recall, density, coverage).
"""
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch
from torch import nn

from ae.data import Mnist, to_float
from ae.judge import Classifier, judge_all, mean_cov, score_images
from ae.metrics import real_set
from ae.model import load_model
from ae.registry import SLIDERS
from ae.sampling import STRATEGIES, sample_latents
from ae.store import load_tensors
from ae.table import COLUMNS, format_table  # noqa: F401  (the table's layout, shared with the app)

KINDS = {s.name: s.kind for s in SLIDERS}  # file stem in weights/ -> class in ae.model.MODELS
LABELS = {"ae": "AE", "vae": "VAE", "pca": "PCA"}
# (model, strategy, row): the AE with every strategy; the VAE with its prior, which is the "normal" strategy;
# PCA with the best single Gaussian
SAMPLED = [("ae", strategy, f"AE + {label}") for strategy, label in STRATEGIES.items()] + [
    ("vae", "normal", "VAE + its prior N(0, I)"),
    ("pca", "full", "PCA + Gaussian with full covariance, fitted to the codes"),
]


def load_contestants(weights: Path) -> tuple[dict[str, nn.Module], dict[str, dict[str, np.ndarray]], list[str]]:
    """The AE, VAE and PCA in weights/ and their fitted sampler parameters; a note for each file that is missing."""
    models, params, notes = {}, {}, []
    for name, kind in KINDS.items():
        path, samplers = weights / f"{name}.safetensors", weights / f"{name}_samplers.safetensors"
        if not path.is_file():
            notes.append(f"{LABELS[name]} rows left out: {path} is missing")
            continue
        models[name] = load_model(path, kind)[0]
        if samplers.is_file():
            params[name] = load_tensors(samplers, "Samplers")[0]
        else:
            notes.append(f"{LABELS[name]} sample rows left out: {samplers} is missing")
    return models, params, notes


@torch.no_grad()
def apply_batched(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, *,
                  batch_size: int = 1000) -> torch.Tensor:
    """Images fn(x) (N, 1, 28, 28) computed in batches, clamped to [0, 1]: PCA's linear decoder leaves that range."""
    return torch.cat([fn(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]).clamp_(0, 1)


def sampling_rows(judge: Classifier, data: Mnist, models: dict[str, nn.Module],
                  params: dict[str, dict[str, np.ndarray]], *, n: int, seed: int) -> Iterator[dict]:
    """Yield the table's rows one at a time (seconds each at n = 10,000), deterministic given seed.

    Rows: samples decoded from each model and strategy in SAMPLED, reconstructions of n test digits, those test
    digits themselves, and n training digits, the floor (two real samples are not at distance 0). A row whose model
    (or, for samples, params) is absent from the dicts is left out. Each sampled row draws from a fresh generator
    seeded with seed, so its images do not depend on which other rows are present, and the AE's "normal" row and
    the VAE's prior decode the very same codes.
    """
    if not 2 <= n <= min(len(data.test_images), len(data.train_images)):
        raise ValueError(f"n must lie between 2 and the size of the smaller set, got {n}")
    ref_feats = judge_all(judge, to_float(data.test_images))[0]  # (N, 128)
    ref_mu, ref_cov = mean_cov(ref_feats)  # (128,), (128, 128)
    real = real_set(ref_feats.double().numpy())  # k-NN radii of the test digits, once for every row
    pick = torch.Generator().manual_seed(seed)
    x_test = to_float(data.test_images[torch.randperm(len(data.test_images), generator=pick)[:n]])  # (n, 1, 28, 28)
    x_train = to_float(data.train_images[torch.randperm(len(data.train_images), generator=pick)[:n]])

    def row(name: str, model: str, source: str, images: torch.Tensor) -> dict:
        return {"row": name, "model": model, "source": source, **score_images(judge, images, ref_mu, ref_cov, real)}

    for model, strategy, name in SAMPLED:
        if model in models and model in params:
            z = torch.from_numpy(sample_latents(strategy, n, params[model], np.random.default_rng(seed)))  # (n, k)
            yield row(name, model, strategy, apply_batched(models[model].decode, z))
    for model in KINDS:
        if model in models:
            yield row(f"{LABELS[model]} reconstructions of test digits", model, "reconstruction",
                      apply_batched(models[model], x_test))
    yield row("test digits (the reference itself)", "data", "test", x_test)
    yield row("training digits (the floor)", "data", "train", x_train)
