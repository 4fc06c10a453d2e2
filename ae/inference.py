"""What the server does with the models: load everything once, encode, decode, judge, measure; numpy and ONNX Runtime
only, so the app serves without torch."""
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ae.checks import check_finite
from ae.config import WEIGHTS_DIR
from ae.meter import WARN_PERCENTILE, Reading, distance_percentile, nearest_one
from ae.registry import JUDGE, SLIDERS, Spec
from ae.runtime import Model
from ae.sampling import sample_latents, slider_box
from ae.store import WeightsError, load_tensors

BELONGS_TOLERANCE = 1e-2  # measured: a model's own codes agree to 1e-6, another model's differ by 3 or more
CODES_FIELDS = {"train_codes", "test_codes", "test_labels", "meter_codes", "meter_labels", "meter_reference",
                "test_errors"}


@dataclass(frozen=True, kw_only=True)
class Space:
    """One model's latent space: the model, its codes and what the app derives from them."""
    spec: Spec
    model: Model
    lo: np.ndarray  # (k,) slider minimum per dimension
    hi: np.ndarray  # (k,) slider maximum per dimension
    stats: list[dict]  # per-dimension statistics of the training codes
    meter_codes: np.ndarray  # (10000, k) float64 of the float16 stored: the training codes the meter searches
    meter_sq_norms: np.ndarray  # (10000,) float64 squared norms of meter_codes, for the one-code search
    meter_labels: np.ndarray  # (10000,) their digits
    meter_reference: np.ndarray  # (10000,) sorted distances of the test codes to their nearest meter code
    test_codes: np.ndarray  # (10000, k)
    test_labels: np.ndarray  # (10000,)
    test_errors: np.ndarray  # (10000,) sorted per-image reconstruction MSE of the test digits
    samplers: dict[str, np.ndarray]  # fitted sampler parameters (ae.sampling.fit_samplers)
    axes: np.ndarray  # (2, k) the test codes' top two principal axes, for the latent map
    centre: np.ndarray  # (k,) the test codes' mean

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.title


@dataclass(frozen=True, kw_only=True)
class Assets:
    """Everything the app reads from weights/, loaded once at start-up and shared read-only by all users."""
    spaces: dict[str, Space]  # "ae", "vae", "pca"
    judge: Model
    summary: dict  # ae.json: recipe, history, test MSE
    table: dict | None  # sampling_table.json, the measured sampling table
    paths: dict | None  # interpolation.json, paths between test digits measured
    seeds: dict | None  # seeds.json, the lesson's rows measured on models trained from several seeds
    examples: np.ndarray  # (10, 28, 28) uint8: the first test digit of each class
    example_labels: np.ndarray  # (10,)
    judge_reference: tuple[np.ndarray, np.ndarray]  # (5000, 128) test digits' features, (5000,) radii: realism scores


def principal_axes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (k,) and top two principal axes (2, k) of codes (N, k)."""
    centre = codes.mean(axis=0)
    _, _, v = np.linalg.svd(codes - centre, full_matrices=False)  # rows of v: axes by variance
    return centre, v[:2]


def read_json(path: Path, rebuild: str) -> dict:
    """A JSON file train.py or a benchmark wrote; WeightsError naming it and the command that writes it again."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise WeightsError(f"{path} is missing: write it with `{rebuild}`") from None
    except (OSError, ValueError) as e:
        raise WeightsError(f"{path} is not readable JSON ({str(e)[:80]}): write it with `{rebuild}`") from None


def check_belongs(model: Model, codes: dict, samplers: dict, examples: dict, paths: tuple[Path, Path]) -> None:
    """WeightsError unless the codes are the model's (its codes of the example digits are the stored test codes of
    those digits) and the samplers were fitted to these codes (their box is the codes' slider box)."""
    codes_path, samplers_path = paths
    spec, k = model.spec, codes["train_codes"].shape[-1]
    if k != spec.latent_dim:
        raise WeightsError(f"{codes_path} holds codes of {k} numbers, not the {spec.latent_dim} of {spec.name}: "
                           f"rewrite it with `{spec.rebuild}`")
    gap = float(np.abs(model.encode(examples["images"][:, None] / np.float32(255))
                       - codes["test_codes"][examples["indices"]]).max())
    if gap > BELONGS_TOLERANCE:
        raise WeightsError(f"{codes_path} holds another model's codes (the {spec.name} encoder's codes of the example "
                           f"digits differ from them by up to {gap:.2f}): rewrite it with `{spec.rebuild}`")
    box = slider_box(codes["train_codes"])
    if any(samplers[f].shape != b.shape or not np.allclose(samplers[f], b, atol=1e-6)
           for f, b in zip(("box_lo", "box_hi"), box)):
        raise WeightsError(f"{samplers_path} was fitted to other codes than those in {codes_path}: "
                           f"rewrite it with `{spec.rebuild}`")


def load_space(weights_dir: Path, spec: Spec, examples: dict) -> Space:
    """A model and its codes, samplers and statistics, as train.py wrote them, checked to belong together."""
    codes_path = weights_dir / f"{spec.name}_codes.safetensors"
    samplers_path = weights_dir / f"{spec.name}_samplers.safetensors"
    codes, _ = load_tensors(codes_path, "Codes")
    missing = sorted(CODES_FIELDS - codes.keys())
    if missing:  # written by an older train.py
        raise WeightsError(f"{codes_path} lacks {missing}: rewrite it with `{spec.rebuild}`")
    samplers, _ = load_tensors(samplers_path, "Samplers")
    model = Model(weights_dir, spec)
    check_belongs(model, codes, samplers, examples, (codes_path, samplers_path))
    lo, hi = slider_box(codes["train_codes"])
    lo, hi = np.floor(lo * 100) / 100, np.ceil(hi * 100) / 100  # round outwards to the sliders' 0.01 step
    centre, axes = principal_axes(codes["test_codes"])
    meter = codes["meter_codes"].astype(np.float64)
    return Space(spec=spec, model=model, lo=lo, hi=hi,
                 stats=read_json(weights_dir / f"{spec.name}_latents.json", spec.rebuild),
                 meter_codes=meter, meter_sq_norms=(meter * meter).sum(axis=1), meter_labels=codes["meter_labels"],
                 meter_reference=codes["meter_reference"], test_codes=codes["test_codes"],
                 test_labels=codes["test_labels"], test_errors=codes["test_errors"], samplers=samplers, axes=axes,
                 centre=centre)


def load_measured(path: Path, command: str) -> dict | None:
    """A benchmark's figures if it has been run (None otherwise); a corrupt file is named, not ignored."""
    return read_json(path, command) if path.exists() else None


def load_assets(weights_dir: Path = WEIGHTS_DIR) -> Assets:
    """Load the three models with their codes, the judge, the example digits and (where measured) the tables."""
    examples, _ = load_tensors(weights_dir / "examples.safetensors", "Examples")
    spaces = {spec.name: load_space(weights_dir, spec, examples) for spec in SLIDERS}
    return Assets(spaces=spaces, judge=Model(weights_dir, JUDGE),
                  summary=read_json(weights_dir / "ae.json", "python train.py"),
                  table=load_measured(weights_dir / "sampling_table.json", "python benchmarks/sampling_table.py"),
                  paths=load_measured(weights_dir / "interpolation.json", "python benchmarks/interpolation.py"),
                  seeds=load_measured(weights_dir / "seeds.json", "python benchmarks/seeds.py --lesson"),
                  examples=examples["images"], example_labels=examples["labels"],
                  judge_reference=load_judge_reference(weights_dir))


def load_judge_reference(weights_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The real digits' features (M, 128) and k-NN radii (M,) that train.py --model classifier wrote beside the
    judge."""
    ref, _ = load_tensors(weights_dir / "judge_reference.safetensors", "JudgeReference")
    return ref["features"].astype(np.float64), ref["radii"].astype(np.float64)


def encode(space: Space, x: np.ndarray) -> np.ndarray:
    """Code (k,) of one image (1, 1, 28, 28); ValueError if it is not finite, so no NaN is decoded or measured."""
    return check_finite(space.model.encode(x)[0], f"the {space.title}'s code of this image")


def decode(space: Space, z: np.ndarray) -> np.ndarray:
    """Images (B, 1, 28, 28) in [0, 1] decoded from codes (B, k); one code (k,) gives (1, 28, 28)."""
    x = space.model.decode(z.reshape(-1, z.shape[-1]))  # the export clamps PCA's linear decoder to [0, 1]
    return x[0] if z.ndim == 1 else x


def reconstruct(space: Space, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One image (1, 1, 28, 28) through the encoder and the decoder: its code (k,) and reconstruction (1, 28, 28)."""
    z = encode(space, x)
    return z, decode(space, z)


def clamp_to_box(z: np.ndarray, space: Space) -> np.ndarray:
    """z (..., k) moved into the slider box and onto the sliders' 0.01 grid: the codes the sliders can show."""
    return np.round(np.clip(z, space.lo, space.hi) * 100) / 100  # box edges lie on the grid


def mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-pixel squared error between two images of the same shape."""
    return float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))


def measure(space: Space, z: np.ndarray) -> Reading:
    """The off-manifold meter for one code (k,): nearest training code, its digit and how unusual the distance is."""
    d, index = nearest_one(space.meter_codes, space.meter_sq_norms, z.reshape(-1))
    pct = distance_percentile(d, space.meter_reference)
    return Reading(distance=d, digit=int(space.meter_labels[index]), percentile=pct,
                   typical=float(space.meter_reference[len(space.meter_reference) // 2]), warn=pct > WARN_PERCENTILE)


def project(space: Space, z: np.ndarray) -> np.ndarray:
    """Codes (M, k) to the latent map's 2-D coordinates (M, 2)."""
    return (z.reshape(-1, z.shape[-1]) - space.centre) @ space.axes.T


def sample(space: Space, strategy: str, k: int, seed: int) -> np.ndarray:
    """k codes (k, d) float32 drawn with a strategy of ae.sampling, fitted to this space's training codes."""
    return sample_latents(strategy, k, space.samplers, np.random.default_rng(seed)).astype(np.float32)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Probabilities (B, C) of logits (B, C), computed stably."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def judge_features(judge: Model, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The judge's features (B, 128) and calibrated probabilities (B, 10) of images (B, 1, 28, 28), float64.

    The export divides the logits by the judge's fitted temperature, so these are the calibrated probabilities."""
    features, logits = judge.judge(images)
    return features.astype(np.float64), softmax(logits.astype(np.float64))


def verdicts(judge: Model, images: np.ndarray) -> tuple[list[int], list[float]]:
    """The judge's digit and confidence for each image (B, 1, 28, 28)."""
    probs = judge_features(judge, images)[1]
    return probs.argmax(axis=1).tolist(), probs.max(axis=1).tolist()


def interpolate(za: np.ndarray, zb: np.ndarray, steps: int) -> np.ndarray:
    """steps codes (steps, k) evenly spaced on the straight line from za to zb, both ends included."""
    t = np.linspace(0, 1, steps, dtype=np.float32)[:, None]  # (steps, 1)
    return (1 - t) * za + t * zb
