"""The ONNX files the page runs give what torch gives, on real test digits."""
import dataclasses
import hashlib
import json

import numpy as np
import onnxruntime as ort
import pytest
import torch

from ae.config import WEIGHTS_DIR
from ae.data import to_float
from ae.export import export_model
from ae.model import load_model
from ae.registry import MODELS, SLIDERS
from ae.runtime import MANIFEST

KINDS = {s.name: s.kind for s in SLIDERS}


@pytest.fixture(scope="module")
def x(mnist) -> torch.Tensor:
    return to_float(mnist.test_images[:1000])  # (1000, 1, 28, 28)


def run(path, feed: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: feed})[0]


@pytest.mark.parametrize("name", KINDS)
def test_the_shipped_onnx_files_agree_with_torch(x, name):
    model, _ = load_model(WEIGHTS_DIR / f"{name}.safetensors", KINDS[name])
    z = run(WEIGHTS_DIR / f"{name}_encoder.onnx", x.numpy())  # (1000, 10)
    image = run(WEIGHTS_DIR / f"{name}_decoder.onnx", z)  # (1000, 1, 28, 28)
    with torch.no_grad():
        z_torch = model.encode(x)
        image_torch = model.decode(z_torch).clamp(0, 1)
    assert z.shape == (1000, 10) and image.shape == (1000, 1, 28, 28)
    assert np.abs(z - z_torch.numpy()).max() <= 1e-4
    assert np.abs(image - image_torch.numpy()).max() <= 1e-4


def test_the_manifest_holds_each_files_checksum():
    sums = json.loads((WEIGHTS_DIR / MANIFEST).read_text())
    for name in KINDS:
        for part in ("encoder", "decoder"):
            f = f"{name}_{part}.onnx"
            assert sums[f] == hashlib.sha256((WEIGHTS_DIR / f).read_bytes()).hexdigest(), f


def test_float16_weights_halve_the_file_and_match_torch_on_those_weights(tmp_path, x):
    model, _ = load_model(WEIGHTS_DIR / "ae.safetensors")
    export_model(model, dataclasses.replace(MODELS["ae"], name="half", half=True), tmp_path)
    assert (tmp_path / "half_encoder.onnx").stat().st_size < 0.55 * (WEIGHTS_DIR / "ae_encoder.onnx").stat().st_size
    with torch.no_grad():  # torch with the same float16-rounded weights, computing in float32
        for p in model.parameters():
            p.copy_(p.half().float())
        z_torch = model.encode(x)
    z = run(tmp_path / "half_encoder.onnx", x.numpy())
    assert np.abs(z - z_torch.numpy()).max() <= 1e-4
    image = run(tmp_path / "half_decoder.onnx", z_torch.numpy())
    assert np.abs(image - model.decode(z_torch).clamp(0, 1).detach().numpy()).max() <= 1e-4
    assert set(json.loads((tmp_path / MANIFEST).read_text())) == {"half_encoder.onnx", "half_decoder.onnx"}
