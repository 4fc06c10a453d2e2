"""The server's inference (ae/inference.py on ONNX Runtime) against torch, the trusted reference it was exported
from."""
import math

import numpy as np
import pytest
import torch

from ae.checks import check_code, check_image
from ae.config import WEIGHTS_DIR
from ae.data import to_float
from ae.export import load_exported
from ae.inference import decode, encode, interpolate, load_assets, measure, reconstruct, verdicts
from ae.judge import judge_all
from ae.registry import JUDGE, MODELS, SLIDERS
from ae.runtime import Model


@pytest.fixture(scope="module")
def assets():
    return load_assets()


@pytest.fixture(scope="module")
def x(mnist) -> np.ndarray:
    return to_float(mnist.test_images[:1000]).numpy()  # (1000, 1, 28, 28)


def torch_reference(name: str) -> torch.nn.Module:
    """The model in torch, with its weights rounded to float16 where its ONNX files store them so."""
    return load_exported(MODELS[name])


@pytest.mark.parametrize("name", [n for n, s in MODELS.items() if s.kind != "Classifier"])
def test_every_model_on_onnx_runtime_gives_what_torch_gives(x, name):
    spec, model = MODELS[name], torch_reference(name)
    served = Model(WEIGHTS_DIR, spec)
    z = torch.randn(1000, spec.latent_dim, generator=torch.Generator().manual_seed(0)) * 2  # (1000, k)
    with torch.no_grad():
        codes, images = model.encode(torch.from_numpy(x)), model.decode(z).clamp(0, 1)
    assert np.abs(served.encode(x) - codes.numpy()).max() <= 1e-5
    assert np.abs(served.decode(z.numpy()) - images.numpy()).max() <= 1e-5


def test_the_judge_on_onnx_runtime_gives_torchs_features_and_the_same_verdicts(x, assets):
    features, probs = judge_all(torch_reference(JUDGE.name), torch.from_numpy(x))  # calibrated, as the page shows
    served_features, _ = assets.judge.judge(x)
    assert np.abs(served_features - features.numpy()).max() <= 1e-4 * max(1.0, float(features.abs().max()))
    digits, confidences = verdicts(assets.judge, x)
    assert digits == probs.argmax(dim=1).tolist()
    assert np.abs(np.array(confidences) - probs.max(dim=1).values.numpy()).max() <= 1e-5


@pytest.mark.parametrize("name", [s.name for s in SLIDERS])
def test_each_space_has_a_slider_box_around_its_codes(assets, name):
    space = assets.spaces[name]
    assert space.lo.shape == space.hi.shape == (10,) and (space.lo < space.hi).all()
    for lo, hi, s in zip(space.lo, space.hi, space.stats):
        assert lo <= s["p1"] < s["p99"] <= hi  # the box holds the central 98% of training codes
        assert lo >= s["min"] - (s["max"] - s["min"])  # and is not absurdly wide
    assert space.meter_codes.shape == (10000, 10) and space.meter_reference.shape == (10000,)
    assert space.test_errors.shape == (10000,) and (space.test_errors[1:] >= space.test_errors[:-1]).all()
    assert assets.examples.shape == (10, 28, 28) and assets.example_labels.tolist() == list(range(10))


@pytest.mark.parametrize("name", ["ae", "vae"])
def test_encode_decode_round_trip_matches_the_model(assets, name):
    space = assets.spaces[name]
    x = assets.examples[:1, None].astype(np.float32) / 255
    z, x_hat = reconstruct(space, x)
    assert z.shape == (10,) and np.array_equal(z, encode(space, x))
    assert np.array_equal(x_hat, decode(space, z)) and x_hat.shape == (1, 28, 28)
    assert np.mean((x_hat - x[0]) ** 2) < 0.05


def test_meter_calls_a_training_code_typical_and_a_far_corner_off_the_data(assets):
    space = assets.spaces["ae"]
    near = measure(space, space.meter_codes[123])
    assert near.distance < 1e-6 and near.digit == space.meter_labels[123] and not near.warn
    far = measure(space, space.hi)
    assert far.warn and far.percentile > 99


def test_interpolation_runs_end_to_end():
    za, zb = np.zeros(10, np.float32), np.arange(10, dtype=np.float32)
    path = interpolate(za, zb, 5)
    assert np.array_equal(path[0], za) and np.array_equal(path[-1], zb) and np.allclose(path[2], zb / 2)


def test_missing_codes_fields_give_a_clear_error(tmp_path):
    import shutil
    from ae.store import WeightsError, load_tensors, save_tensors
    for f in WEIGHTS_DIR.iterdir():
        shutil.copy(f, tmp_path)
    codes, _ = load_tensors(tmp_path / "vae_codes.safetensors", "Codes")
    del codes["meter_reference"]
    save_tensors(tmp_path / "vae_codes.safetensors", codes, kind="Codes")
    with pytest.raises(WeightsError, match=r"lacks \['meter_reference'\]"):
        load_assets(tmp_path)


@pytest.mark.parametrize("values, message", [
    ("0123456789", "list of 10 numbers"),
    ([0.0] * 9, "must have 10 numbers, got 9"),
    ([0.0] * 11, "got 11"),
    ([0.0] * 9 + ["a"], "z9 must be a number"),
    ([0.0] * 9 + [True], "z9 must be a number"),
    ([math.nan] + [0.0] * 9, "z0 must be finite"),
    ([0.0] * 5 + [math.inf] + [0.0] * 4, "z5 must be finite"),
    ([0.0] * 3 + [10**400] + [0.0] * 6, "z3 is too large"),
    ([1e6] + [0.0] * 9, r"z0 = 1e\+06: each number must lie in \[-1000, 1000\]"),
])
def test_bad_codes_are_refused_with_a_reason(values, message):
    with pytest.raises(ValueError, match=message):
        check_code(values)


def test_any_code_within_the_bound_passes_however_far_from_the_data():
    assert check_code([0.5] * 10).shape == (1, 10) and check_code([-1000.0] * 10).shape == (1, 10)


@pytest.mark.parametrize("pixels, message", [
    ([[0.0] * 28] * 27, "28x28 numbers, got shape"),
    ([[0.0] * 28] * 27 + [[0.0] * 27], "28 rows of 28 numbers"),
    ("not an image", "28 rows of 28 numbers"),
    ([[math.nan] * 28] * 28, "finite"),
    ([[2.0] * 28] * 28, r"lie in \[0, 1\]"),
    ([[0.0] * 28 for _ in range(27)] + [["x"] * 28], "28 rows of 28 numbers"),
])
def test_bad_images_are_refused_with_a_reason(pixels, message):
    with pytest.raises(ValueError, match=message):
        check_image(pixels)
