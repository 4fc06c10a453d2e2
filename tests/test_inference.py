import math

import pytest
import torch

from ae.inference import check_code, check_image, decode, encode, interpolate, load_assets, measure, mse


@pytest.fixture(scope="module")
def assets():
    return load_assets()


@pytest.mark.parametrize("name", ["ae", "vae", "pca"])
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
    model = assets.spaces[name].model
    x = assets.examples[:1].unsqueeze(1).float() / 255
    z = encode(model, x)
    assert z.shape == (10,)
    x_hat = decode(model, z)
    assert torch.allclose(x_hat, model(x)[0], atol=1e-6)
    assert mse(x_hat, x[0]) < 0.05


def test_meter_calls_a_training_code_typical_and_a_far_corner_off_the_data(assets):
    space = assets.spaces["ae"]
    near = measure(space, space.meter_codes[123].float())
    assert near["distance"] < 1e-6 and near["digit"] == space.meter_labels[123] and not near["warn"]
    far = measure(space, space.hi)
    assert far["warn"] and far["percentile"] > 99


def test_interpolation_runs_end_to_end():
    za, zb = torch.zeros(10), torch.arange(10.0)
    path = interpolate(za, zb, 5)
    assert torch.equal(path[0], za) and torch.equal(path[-1], zb) and torch.allclose(path[2], zb / 2)


def test_missing_codes_fields_give_a_clear_error(tmp_path):
    import shutil
    from ae.config import WEIGHTS_DIR
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
