import math

import pytest
import torch

from ae.inference import check_code, check_image, decode, encode, load_assets, mse


@pytest.fixture(scope="module")
def assets():
    return load_assets()


def test_assets_give_a_slider_box_around_the_codes(assets):
    assert assets.lo.shape == assets.hi.shape == (10,) and (assets.lo < assets.hi).all()
    for lo, hi, s in zip(assets.lo, assets.hi, assets.stats):
        assert lo <= s["p1"] < s["p99"] <= hi  # the box holds the central 98% of training codes
        assert lo >= s["min"] - (s["max"] - s["min"])  # and is not absurdly wide
    assert assets.examples.shape == (10, 28, 28) and assets.example_labels.tolist() == list(range(10))


def test_encode_decode_round_trip_matches_the_model(assets):
    x = assets.examples[:1].unsqueeze(1).float() / 255
    z = encode(assets.model, x)
    assert z.shape == (10,)
    x_hat = decode(assets.model, z)
    assert torch.allclose(x_hat, assets.model(x)[0], atol=1e-6)
    assert mse(x_hat, x[0]) < 0.05


@pytest.mark.parametrize("values, message", [
    ("0123456789", "list of 10 numbers"),
    ([0.0] * 9, "must have 10 numbers, got 9"),
    ([0.0] * 11, "got 11"),
    ([0.0] * 9 + ["a"], "z9 must be a number"),
    ([0.0] * 9 + [True], "z9 must be a number"),
    ([math.nan] + [0.0] * 9, "z0 must be finite"),
    ([0.0] * 5 + [math.inf] + [0.0] * 4, "z5 must be finite"),
    ([1e6] + [0.0] * 9, r"z0 = 1e\+06 is outside its range \[-1.00, 1.00\]"),
])
def test_bad_codes_are_refused_with_a_reason(values, message):
    lo, hi = -torch.ones(10), torch.ones(10)
    with pytest.raises(ValueError, match=message):
        check_code(values, lo, hi)


def test_a_good_code_passes():
    assert check_code([0.5] * 10, -torch.ones(10), torch.ones(10)).shape == (1, 10)


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
