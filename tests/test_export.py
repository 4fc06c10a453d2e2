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
from ae.export import as_exported, export_model, load_exported
from ae.model import load_model
from ae.registry import MODELS, NETWORK, SLIDERS
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
    model = load_exported(MODELS[name])
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
    spec = dataclasses.replace(MODELS["ae"], name="half", half=True, layers=False)
    (tmp_path / "full").mkdir()
    export_model(model, dataclasses.replace(spec, name="full", half=False), tmp_path / "full")
    export_model(model, spec, tmp_path)
    assert (tmp_path / "half_encoder.onnx").stat().st_size < 0.55 * (tmp_path / "full/full_encoder.onnx").stat().st_size
    with torch.no_grad():  # torch with the same float16-rounded weights, computing in float32
        z_torch = as_exported(model, spec).encode(x)
    z = run(tmp_path / "half_encoder.onnx", x.numpy())
    assert np.abs(z - z_torch.numpy()).max() <= 1e-4
    image = run(tmp_path / "half_decoder.onnx", z_torch.numpy())
    assert np.abs(image - model.decode(z_torch).clamp(0, 1).detach().numpy()).max() <= 1e-4
    assert set(json.loads((tmp_path / MANIFEST).read_text())) == {"half_encoder.onnx", "half_decoder.onnx"}


def test_the_layer_exports_give_each_layers_activations_as_torch_hooks_see_them(x):
    spec = MODELS["ae"]
    model = load_exported(spec)
    seen = {}
    for layer in NETWORK:  # each drawn layer's output, caught where ae/model.py computes it
        module = getattr(model, layer.part)[layer.after]
        module.register_forward_hook(lambda m, args, out, name=layer.name: seen.__setitem__(name, out.numpy()))
    with torch.no_grad():
        model(x[:200])
    feeds = {"encoder_layers": x[:200].numpy(), "decoder_layers": seen["z"]}
    for part, feed in feeds.items():
        session = ort.InferenceSession(str(WEIGHTS_DIR / spec.layer_onnx[part]), providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        outputs = dict(zip(names, session.run(None, {session.get_inputs()[0].name: feed})))
        assert names == list(spec.signature(part)[1]), part
        for layer in (n for n in NETWORK if n.part + "_layers" == part):
            assert outputs[layer.name].shape == (200, *layer.shape), layer.name
            assert np.abs(outputs[layer.name] - seen[layer.name]).max() <= 1e-4, layer.name
    sums = json.loads((WEIGHTS_DIR / MANIFEST).read_text())
    for f in spec.layer_onnx.values():
        assert sums[f] == hashlib.sha256((WEIGHTS_DIR / f).read_bytes()).hexdigest(), f


def test_the_network_describes_each_layer_as_torch_builds_it():
    model, _ = load_model(WEIGHTS_DIR / "ae.safetensors")
    for layer in NETWORK:  # the last module with weights at or before the one whose output is drawn
        module = [m for m in getattr(model, layer.part)[:layer.after + 1] if list(m.parameters())][-1]
        if isinstance(module, torch.nn.Linear):
            built = (module.in_features, module.out_features)
        else:
            built = (module.in_channels, module.out_channels, module.kernel_size[0])
            assert (module.stride[0], module.output_padding[0]) == (layer.stride, layer.output_padding), layer.name
        assert (type(module).__name__, built) == (layer.module, layer.args), layer.name
        assert layer.parameters == sum(p.numel() for p in module.parameters()), layer.name
