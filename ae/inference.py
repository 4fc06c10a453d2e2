"""What the app does with the models: load everything once, check inputs, encode, decode, judge, measure."""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from ae.checks import to_float
from ae.config import IMAGE_SIZE, LATENT_DIM, WEIGHTS_DIR
from ae.judge import Classifier, judge_all, predict
from ae.meter import distance_percentile, nearest_one
from ae.model import load_model
from ae.sampling import sample_latents, slider_box
from ae.store import WeightsError, load_tensors

SPACES = {"ae": ("Autoencoder", "autoencoder"), "vae": ("VAE", "VAE"), "pca": ("PCA", "PCA")}  # name: (kind, title)
CODES_FIELDS = {"train_codes", "test_codes", "test_labels", "meter_codes", "meter_labels", "meter_reference", "test_errors"}
WARN_PERCENTILE = 99.0  # the meter warns when a code is farther from the data than 99% of real test digits
MAX_CODE = 1000.0  # codes of the data lie within about 20 of 0; this far out the decoder is still finite


@dataclass(frozen=True)
class Space:
    """One model's latent space: the model, its codes and what the app derives from them."""
    name: str
    title: str
    model: nn.Module
    lo: torch.Tensor  # (10,) slider minimum per dimension
    hi: torch.Tensor  # (10,) slider maximum per dimension
    stats: list[dict]  # per-dimension statistics of the training codes
    meter_codes: torch.Tensor  # (10000, 10) float64 of the float16 stored: the training codes the meter searches
    meter_sq_norms: torch.Tensor  # (10000,) float64 squared norms of meter_codes, for the one-code search
    meter_labels: torch.Tensor  # (10000,) their digits
    meter_reference: torch.Tensor  # (10000,) sorted distances of the test codes to their nearest meter code
    test_codes: torch.Tensor  # (10000, 10)
    test_labels: torch.Tensor  # (10000,)
    test_errors: torch.Tensor  # (10000,) sorted per-image reconstruction MSE of the test digits
    samplers: dict[str, torch.Tensor]  # fitted sampler parameters (ae.sampling.fit_samplers)
    axes: torch.Tensor  # (2, 10) the test codes' top two principal axes, for the latent map
    centre: torch.Tensor  # (10,) the test codes' mean


@dataclass(frozen=True)
class Assets:
    """Everything the app reads from weights/, loaded once at start-up and shared read-only by all users."""
    spaces: dict[str, Space]  # "ae", "vae", "pca"
    judge: Classifier
    summary: dict  # ae.json: recipe, history, test MSE
    table: dict | None  # sampling_table.json, the measured sampling table
    paths: dict | None  # interpolation.json, paths between test digits measured
    seeds: dict | None  # seeds.json, the lesson's rows measured on models trained from several seeds
    examples: torch.Tensor  # (10, 28, 28) uint8: the first test digit of each class
    example_labels: torch.Tensor  # (10,)
    judge_reference: tuple[np.ndarray, np.ndarray]  # (5000, 128) test digits' features, (5000,) radii: realism scores


def principal_axes(codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (k,) and top two principal axes (2, k) of codes (N, k)."""
    centre = codes.mean(0)
    _, _, v = torch.linalg.svd(codes - centre, full_matrices=False)  # rows of v: axes by variance
    return centre, v[:2]


def load_space(weights_dir: Path, name: str) -> Space:
    """A model and its codes, samplers and statistics, as train.py wrote them."""
    kind, title = SPACES[name]
    model, _ = load_model(weights_dir / f"{name}.safetensors", kind)
    codes, _ = load_tensors(weights_dir / f"{name}_codes.safetensors", "Codes")
    missing = sorted(CODES_FIELDS - codes.keys())
    if missing:  # written by an older train.py
        raise WeightsError(f"{weights_dir / f'{name}_codes.safetensors'} lacks {missing}: rewrite it with "
                           f"`python train.py --model {name if name != 'pca' else 'ae'} --reuse`")
    samplers, _ = load_tensors(weights_dir / f"{name}_samplers.safetensors", "Samplers")
    lo, hi = slider_box(codes["train_codes"])
    lo, hi = (lo * 100).floor() / 100, (hi * 100).ceil() / 100  # round outwards to the sliders' 0.01 step
    centre, axes = principal_axes(codes["test_codes"])
    meter = codes["meter_codes"].double()
    return Space(name, title, model, lo, hi, json.loads((weights_dir / f"{name}_latents.json").read_text()),
                 meter, (meter * meter).sum(dim=1), codes["meter_labels"], codes["meter_reference"],
                 codes["test_codes"], codes["test_labels"], codes["test_errors"], samplers, axes, centre)


def load_assets(weights_dir: Path = WEIGHTS_DIR) -> Assets:
    """Load the three models with their codes, the judge, the example digits and (where measured) the table."""
    spaces = {name: load_space(weights_dir, name) for name in SPACES}
    judge, _ = load_model(weights_dir / "classifier.safetensors", "Classifier")
    measured = {name: weights_dir / f"{name}.json" for name in ("sampling_table", "interpolation", "seeds")}
    table, paths, seeds = (json.loads(f.read_text()) if f.exists() else None for f in measured.values())
    examples, _ = load_tensors(weights_dir / "examples.safetensors", "Examples")
    return Assets(spaces, judge, json.loads((weights_dir / "ae.json").read_text()), table, paths, seeds,
                  examples["images"], examples["labels"], load_judge_reference(weights_dir))


def load_judge_reference(weights_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The real digits' features (M, 128) and k-NN radii (M,) that train.py --model classifier wrote beside the judge."""
    ref, _ = load_tensors(weights_dir / "judge_reference.safetensors", "JudgeReference")
    return ref["features"].double().numpy(), ref["radii"].double().numpy()


def check_code(values: Sequence[float], k: int = LATENT_DIM) -> torch.Tensor:
    """k finite numbers, each at most MAX_CODE in size, as a code (1, k); ValueError saying what is wrong.

    Any such code decodes, however far from the data: that is the lesson. The bound keeps the decoder's sums finite.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"a code must be a list of {k} numbers, got {type(values).__name__}")
    if len(values) != k:
        raise ValueError(f"a code must have {k} numbers, got {len(values)}")
    z = [to_float(v, f"z{i}") for i, v in enumerate(values)]
    for i, v in enumerate(z):
        if abs(v) > MAX_CODE:
            raise ValueError(f"z{i} = {v:g}: each number must lie in [-{MAX_CODE:g}, {MAX_CODE:g}]")
    return torch.tensor([z], dtype=torch.float32)  # (1, k)


def check_image(pixels: Sequence[Sequence[float]]) -> torch.Tensor:
    """A 28x28 nested list of numbers in [0, 1] (white ink on black) as a model input (1, 1, 28, 28)."""
    try:
        a = np.asarray(pixels, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"an image must be {IMAGE_SIZE} rows of {IMAGE_SIZE} numbers") from None
    except OverflowError:  # a 400-digit integer
        raise ValueError("an image's pixels must lie in [0, 1], got a number too large to read") from None
    if a.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"an image must be {IMAGE_SIZE}x{IMAGE_SIZE} numbers, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("an image must hold finite numbers, got NaN or infinity")
    if a.min() < 0 or a.max() > 1:
        raise ValueError(f"pixels must lie in [0, 1], got values from {a.min():g} to {a.max():g}")
    return torch.from_numpy(a).float()[None, None]  # (1, 1, 28, 28)


@torch.no_grad()
def encode(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Code (10,) of one image (1, 1, 28, 28)."""
    return model.encode(x)[0]


@torch.no_grad()
def decode(model: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """Images (B, 1, 28, 28) in [0, 1] decoded from codes (B, 10); one code (10,) gives (1, 28, 28)."""
    x = model.decode(z.view(-1, z.shape[-1])).clamp(0, 1)  # PCA's linear decoder can leave [0, 1]
    return x[0] if z.dim() == 1 else x


def clamp_to_box(z: torch.Tensor, space: Space) -> torch.Tensor:
    """z (..., 10) moved into the slider box and onto the sliders' 0.01 grid: the codes the sliders can show."""
    return torch.round(torch.maximum(torch.minimum(z, space.hi), space.lo) * 100) / 100  # box edges lie on the grid


def mse(a: torch.Tensor, b: torch.Tensor) -> float:
    """Mean per-pixel squared error between two images of the same shape."""
    return torch.mean((a - b) ** 2).item()


def measure(space: Space, z: torch.Tensor) -> dict:
    """The off-manifold meter for one code (10,): nearest training code, its digit and how unusual the distance is."""
    d, index = nearest_one(space.meter_codes, space.meter_sq_norms, z.view(-1))
    pct = distance_percentile(d, space.meter_reference)
    return {"distance": d, "digit": int(space.meter_labels[index]), "percentile": pct,
            "typical": space.meter_reference[len(space.meter_reference) // 2].item(), "warn": pct > WARN_PERCENTILE}


def project(space: Space, z: torch.Tensor) -> torch.Tensor:
    """Codes (M, 10) to the latent map's 2-D coordinates (M, 2)."""
    return (z.view(-1, z.shape[-1]) - space.centre) @ space.axes.T


def sample(space: Space, strategy: str, k: int, seed: int) -> torch.Tensor:
    """k codes (k, 10) drawn with a strategy of ae.sampling, fitted to this space's training codes."""
    return sample_latents(strategy, k, space.samplers, torch.Generator().manual_seed(seed))


def judge_features(judge: Classifier, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The judge's features (B, 128) and calibrated probabilities (B, 10) of images (B, 1, 28, 28), as numpy."""
    feats, probs = judge_all(judge, images)
    return feats.double().numpy(), probs.double().numpy()


def verdicts(judge: Classifier, images: torch.Tensor) -> tuple[list[int], list[float]]:
    """The judge's digit and confidence for each image (B, 1, 28, 28)."""
    top = predict(judge, images).max(dim=1)
    return top.indices.tolist(), top.values.tolist()


def interpolate(za: torch.Tensor, zb: torch.Tensor, steps: int) -> torch.Tensor:
    """steps codes (steps, 10) evenly spaced on the straight line from za to zb, both ends included."""
    t = torch.linspace(0, 1, steps).unsqueeze(1)  # (steps, 1)
    return (1 - t) * za + t * zb
