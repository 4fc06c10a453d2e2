import base64
import json

import numpy as np
import pytest
import torch
from PIL import Image

from ae.canvas import MAX_PAYLOAD_CHARS, canvas_to_input, encode_payload, parse_payload

DIGITS = 20


@pytest.fixture(scope="module")
def digits(mnist) -> np.ndarray:
    return mnist.test_images[:DIGITS].numpy()  # (20, 28, 28) uint8, white on black


def draw_large(digit: np.ndarray, *, canvas: int) -> np.ndarray:
    """An MNIST digit as a user might draw it: 8x larger, smooth, near the bottom-left of a 280x280 page."""
    big = np.asarray(Image.fromarray(digit).resize((224, 224), Image.BILINEAR))
    page = np.zeros((280, 280), dtype=np.uint8)
    page[50:274, 4:228] = big
    if canvas == 280:
        return page
    return np.asarray(Image.fromarray(page).resize((canvas, canvas), Image.BOX))  # what the page sends


def centre_of_mass(x: np.ndarray) -> tuple[float, float]:
    ys, xs = np.indices(x.shape)
    return (x * ys).sum() / x.sum(), (x * xs).sum() / x.sum()


def ink_bbox_sides(x: np.ndarray, threshold: float = 0.1) -> tuple[int, int]:
    rows, cols = np.flatnonzero((x > threshold).any(1)), np.flatnonzero((x > threshold).any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def payload(**fields) -> str:
    msg = {"w": 8, "h": 8, "ink": base64.b64encode(bytes(64)).decode(), "seq": 1, "final": False}
    return json.dumps({**msg, **fields})


def test_payload_round_trip():
    ink = np.random.default_rng(0).integers(0, 256, size=(37, 50), dtype=np.uint8)
    text = encode_payload(ink, seq=7)
    msg = json.loads(text)
    assert (msg["w"], msg["h"], msg["seq"], msg["final"]) == (50, 37, 7, True)
    back = parse_payload(text)
    assert back.dtype == np.uint8 and back.shape == (37, 50)
    np.testing.assert_array_equal(back, ink)


def test_parse_reads_row_major_ink():
    ink = np.arange(64, dtype=np.uint8).reshape(8, 8)
    got = parse_payload(payload(ink=base64.b64encode(ink.tobytes()).decode(), final=True))
    assert got[0, 7] == 7 and got[1, 0] == 8


@pytest.mark.parametrize("empty", ["", None])
def test_empty_payload_is_none(empty):
    assert parse_payload(empty) is None


@pytest.mark.parametrize("bad, message", [
    (b"{}", "must be a str"),
    ("x" * (MAX_PAYLOAD_CHARS + 1), "allowed"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    (json.dumps({"w": 8, "h": 8, "ink": "", "seq": 0}), "missing ['final']"),
    (payload(color="red"), "unexpected ['color']"),
    (payload(w=8.0), "'w' must be an integer"),
    (payload(h=True), "'h' must be an integer"),
    (payload(w="8"), "'w' must be an integer"),
    (payload(w=7), "'w' must be in [8, 512]"),
    (payload(h=513), "'h' must be in [8, 512]"),
    (payload(seq=-1), "'seq' must be in"),
    (payload(seq=None), "'seq' must be an integer"),
    (payload(final=1), "'final' must be true or false"),
    (payload(ink=[0] * 64), "'ink' must be a base64 string"),
    (payload(ink="!!!not-base64!!!"), "not valid base64"),
    (payload(ink=base64.b64encode(bytes(63)).decode()), "holds 63 bytes, expected w*h = 8*8 = 64"),
    (payload(w=16, ink=base64.b64encode(bytes(64)).decode()), "expected w*h = 16*8 = 128"),
])
def test_parse_rejects(bad, message):
    with pytest.raises(ValueError) as e:
        parse_payload(bad)
    assert message in str(e.value)


@pytest.mark.parametrize("ink", [
    np.zeros((28, 28), dtype=np.float32),  # the page only speaks bytes
    np.zeros((2, 28, 28), dtype=np.uint8),
    np.zeros((4, 28), dtype=np.uint8),  # smaller than the page may send
    [[0] * 28] * 28,
])
def test_encode_rejects(ink):
    with pytest.raises(ValueError):
        encode_payload(ink)


def test_empty_canvas_is_nothing_to_reconstruct():
    assert canvas_to_input(np.zeros((280, 280), dtype=np.uint8)) is None
    noise = np.random.default_rng(0).integers(0, 20, size=(64, 64), dtype=np.uint8)  # below the ink threshold
    assert canvas_to_input(noise) is None


@pytest.mark.parametrize("ink, message", [
    (np.zeros((1, 28, 28), dtype=np.uint8), "(H, W)"),
    (np.zeros((0, 28), dtype=np.uint8), "non-empty"),
    (np.zeros((28, 28), dtype=np.int64), "uint8 or float"),
    (np.full((28, 28), np.nan), "NaN"),
    ([[0.0] * 28] * 28, "numpy array"),
])
def test_canvas_to_input_rejects(ink, message):
    with pytest.raises(ValueError) as e:
        canvas_to_input(ink)
    assert message in str(e.value)


def test_uint8_and_float_ink_agree(digits):
    ink = draw_large(digits[0], canvas=64)
    a, b = canvas_to_input(ink), canvas_to_input(ink / 255.0)
    assert a.shape == (1, 1, 28, 28) and a.dtype == torch.float32
    torch.testing.assert_close(a, b)


def test_mnist_digit_is_left_as_it_is(digits):
    # MNIST digits already went through this recipe: doing it again must change next to nothing
    for d in digits:
        x = canvas_to_input(d)[0, 0].numpy()
        assert ((x - d / 255.0) ** 2).mean() < 1e-4


@pytest.mark.parametrize("canvas", [280, 64])
def test_large_off_centre_digit_comes_back(digits, canvas):
    # Measured on test digits 0-19: MSE mean 0.008 (280 px) / 0.012 (64 px), worst 0.038 / 0.035, the
    # worst being digits whose centre of mass rounds to the neighbouring pixel. For scale: the same
    # digit moved by one pixel scores 0.027-0.05, two different test digits 0.094 and more.
    mse = []
    for d in digits:
        x = canvas_to_input(draw_large(d, canvas=canvas))
        assert x.shape == (1, 1, 28, 28) and 0.0 <= x.min() and x.max() <= 1.0
        x = x[0, 0].numpy()
        mse.append(((x - d / 255.0) ** 2).mean())
        cy, cx = centre_of_mass(x)
        assert abs(cy - 14) <= 0.5 + 1e-6 and abs(cx - 14) <= 0.5 + 1e-6, (cy, cx)
        assert max(ink_bbox_sides(x)) <= 21  # the 20 px box, plus one for a fringe pixel above threshold
    assert np.mean(mse) < 0.02 and np.max(mse) < 0.05, mse


def test_aspect_ratio_is_kept_and_tiny_drawings_are_enlarged():
    ink = np.zeros((64, 64), dtype=np.uint8)
    ink[2:12, 50:53] = 255  # a small "1" in a corner: 10 tall, 3 wide
    x = canvas_to_input(ink)[0, 0].numpy()
    h, w = ink_bbox_sides(x)
    assert h == 20 and 5 <= w <= 7  # 3 * 20/10 = 6, give or take the filter's fringe
    cy, cx = centre_of_mass(x)
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
