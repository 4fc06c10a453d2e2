"""The live path the page calls on every stroke and slider step (ae/live.py), without a server."""
import base64
import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from ae.canvas import canvas_to_input, encode_payload
from ae.inference import decode, encode, load_assets
from ae.live import decode_code, reconstruct_drawing


@pytest.fixture(scope="module")
def spaces():
    return load_assets().spaces


def pixels(data_uri: str) -> torch.Tensor:
    """A PNG data URI as (28, 28) floats in [0, 1]."""
    png = base64.b64decode(data_uri.split(",", 1)[1])
    return torch.from_numpy(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32) / 255)


def test_a_drawing_comes_back_as_what_the_model_sees_and_its_reconstruction(spaces, mnist):
    ink = mnist.test_images[0].numpy()
    out = reconstruct_drawing(spaces["ae"], encode_payload(ink))
    x = canvas_to_input(ink)  # (1, 1, 28, 28)
    recon = decode(spaces["ae"].model, encode(spaces["ae"].model, x))
    assert (pixels(out["seen"]) - x[0, 0]).abs().max() <= 1 / 255  # 8-bit PNG of the model's input
    assert (pixels(out["recon"]) - recon[0]).abs().max() <= 1 / 255
    assert out["mse"] == pytest.approx(torch.mean((recon - x[0]) ** 2).item())
    assert out["mse"] < 0.05


def test_an_empty_canvas_is_empty(spaces):
    assert reconstruct_drawing(spaces["ae"], "") == {"empty": True}
    assert reconstruct_drawing(spaces["ae"], encode_payload(np.zeros((64, 64), np.uint8))) == {"empty": True}


def test_a_code_decodes_with_its_meter(spaces):
    for name, s in spaces.items():
        near = s.train_codes[0].float().clamp(s.lo, s.hi)  # a training digit's own code
        out = decode_code(spaces, json.dumps({"space": name, "z": near.tolist()}))
        assert (pixels(out["image"]) - decode(s.model, near)[0]).abs().max() <= 1 / 255
        assert out["title"] == s.title and out["warn"] is False and out["distance"] < 1e-3
        assert out["digit"] == int(s.train_labels[0])
        json.dumps(out)  # everything in it goes over HTTP as it is
    far = decode_code(spaces, json.dumps({"space": "ae", "z": spaces["ae"].hi.tolist()}))
    assert far["warn"] is True and far["percentile"] > 99


@pytest.mark.parametrize("body, message", [
    ("{nope", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"space": "ae"}', "must be a JSON object"),
    ('{"space": "gan", "z": []}', "space must be one of"),
    ('{"space": "ae", "z": [0, 0]}', "must have 10 numbers"),
    ('{"space": "ae", "z": "0000000000"}', "must be a list"),
    ('{"space": "ae", "z": [NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "must be finite"),
    ('{"space": "ae", "z": [1e9, 0, 0, 0, 0, 0, 0, 0, 0, 0]}', "outside its range"),
])
def test_a_bad_code_is_a_clear_error(spaces, body, message):
    with pytest.raises(ValueError, match=message):
        decode_code(spaces, body)
