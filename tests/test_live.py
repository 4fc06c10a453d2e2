"""The server's live path for pages that cannot run the models (ae/live.py), without a server."""
import base64
import json

import numpy as np
import pytest

from ae.checks import parse_drawing
from ae.inference import decode, load_assets, reconstruct
from ae.live import decode_code, reconstruct_drawing
from ae.strokes import encode_image, prepare_strokes

SEVEN = [[[60, 50], [220, 50], [120, 250]]]


@pytest.fixture(scope="module")
def spaces():
    return load_assets().spaces


def pixels(b64: str) -> np.ndarray:
    """784 bytes in base64 as (28, 28) floats in [0, 1]."""
    return np.frombuffer(base64.b64decode(b64), np.uint8).reshape(28, 28) / 255


def body(drawing, spaces=("ae", "vae", "pca")) -> str:
    return json.dumps({"drawing": drawing, "spaces": list(spaces)})


def test_strokes_come_back_prepared_and_reconstructed_in_each_space(spaces):
    out = reconstruct_drawing(spaces, body({"strokes": SEVEN}))
    x = prepare_strokes([np.array(s, float) for s in SEVEN]).astype(np.float32)[None, None]
    assert np.abs(pixels(out["input"]) - x[0, 0]).max() <= 0.5 / 255  # 8 bits of the encoder's input
    assert set(out["results"]) == {"ae", "vae", "pca"}
    for name, r in out["results"].items():
        code, recon = reconstruct(spaces[name], x)
        assert r["code"] == pytest.approx(code.tolist(), abs=1e-6)
        assert np.abs(pixels(r["recon"]) - recon[0]).max() <= 0.5 / 255
        assert r["mse"] == pytest.approx(float(np.mean((recon.astype(np.float64) - x[0]) ** 2)))
    assert out["results"]["ae"]["mse"] < 0.05


def test_an_example_is_encoded_as_it_is(spaces, mnist):
    digit = mnist.test_images[3].numpy()
    out = reconstruct_drawing(spaces, body(json.loads(encode_image(digit)), ["ae"]))
    assert np.array_equal(np.frombuffer(base64.b64decode(out["input"]), np.uint8).reshape(28, 28), digit)
    assert parse_drawing(encode_image(digit)).image.shape == (28, 28)


def test_no_strokes_is_empty(spaces):
    assert reconstruct_drawing(spaces, body({"strokes": []})) == {"empty": True}


def test_a_code_decodes_with_its_meter(spaces):
    for name, s in spaces.items():
        near = np.clip(s.meter_codes[0], s.lo, s.hi).astype(np.float32)  # a training digit's own code, as stored
        out = decode_code(spaces, json.dumps({"space": name, "z": near.tolist()}))
        assert np.abs(pixels(out["image"]) - decode(s, near)[0]).max() <= 0.5 / 255
        assert out["warn"] is False and out["distance"] < 1e-3 and out["digit"] == int(s.meter_labels[0])
        json.dumps(out)  # everything in it goes over HTTP as it is
    far = decode_code(spaces, json.dumps({"space": "ae", "z": spaces["ae"].hi.tolist()}))
    assert far["warn"] is True and far["percentile"] > 99


@pytest.mark.parametrize("route, text, message", [
    ("decode", "{nope", "not valid JSON"),
    ("decode", "[1, 2]", "must be a JSON object"),
    ("decode", '{"space": "ae"}', "must be a JSON object"),
    ("decode", '{"space": "gan", "z": []}', "space must be one of"),
    ("decode", '{"space": ["ae"], "z": []}', "space must be one of"),
    ("decode", '{"space": "ae", "z": [0, 0]}', "must have 10 numbers"),
    ("decode", '{"space": "ae", "z": "0000000000"}', "must be a list"),
    ("decode", '{"space": "ae", "z": [NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "must be finite"),
    ("decode", '{"space": "ae", "z": [1e9, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "must lie in"),
    ("decode", '{"space": "ae", "z": [' + "9" * 400 + ', 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "z0 is too large"),
    ("decode", "[" * 60_000, "nested too deeply"),
    ("decode", "{" * 30_000, "not valid JSON|nested too deeply"),
    ("reconstruct", '{"drawing": {"strokes": []}}', "must be a JSON object"),
    ("reconstruct", '{"drawing": {"strokes": []}, "spaces": []}', "spaces must be"),
    ("reconstruct", '{"drawing": {"strokes": []}, "spaces": ["ae", "ae"]}', "spaces must be"),
    ("reconstruct", '{"drawing": {"strokes": []}, "spaces": ["gan"]}', "spaces must be"),
    ("reconstruct", '{"drawing": {"strokes": []}, "spaces": [["ae"]]}', "spaces must be"),
    ("reconstruct", '{"drawing": [], "spaces": ["ae"]}', "drawing must be"),
    ("reconstruct", '{"drawing": {"strokes": [[[1e999, 0]]]}, "spaces": ["ae"]}', "must be finite"),
    ("reconstruct", '{"drawing": ' + "[" * 60_000, "nested too deeply"),
])
def test_a_bad_body_is_a_clear_error(spaces, route, text, message):
    with pytest.raises(ValueError, match=message):
        (decode_code if route == "decode" else reconstruct_drawing)(spaces, text)
