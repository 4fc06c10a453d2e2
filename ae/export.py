"""The models the page and the server run, as ONNX files: each encoder (the VAE's gives its mean) and decoder, PCA's
too, and the judge. Written by train.py; onnx and onnxscript are training tools, the app only runs the files.
"""
import hashlib
import json
from pathlib import Path

import torch
from torch import nn

from ae.config import IMAGE_SIZE, WEIGHTS_DIR
from ae.judge import Classifier
from ae.model import VAE, load_model
from ae.registry import NETWORK, Spec
from ae.runtime import MANIFEST



class Encoder(nn.Module):
    """x (B, 1, 28, 28) in [0, 1] -> z (B, k): the code the sliders show."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.encode(x)


def mean_encoder(vae: VAE) -> nn.Sequential:
    """The VAE's encoder with only the mean's rows of its last layer: the page never shows the log-variance."""
    last, k = vae.encoder[-1], vae.latent_dim
    mean = nn.Linear(last.in_features, k)
    with torch.no_grad():
        mean.weight.copy_(last.weight[:k])
        mean.bias.copy_(last.bias[:k])
    return nn.Sequential(*vae.encoder[:-1], mean)


class Decoder(nn.Module):
    """z (B, k) -> image (B, 1, 28, 28) in [0, 1]; PCA's linear decoder needs the clamp, the others are unchanged."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.model.decode(z).clamp(0, 1)


class Judge(nn.Module):
    """x (B, 1, 28, 28) in [0, 1] -> (features (B, 128), calibrated logits (B, 10)): one run gives the verdict and the
    features; the logits are divided by the judge's fitted temperature, so their softmax is calibrated."""

    def __init__(self, model: Classifier):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.model.features(x)
        return features, self.model.head(features) / self.model.temperature


class Layers(nn.Module):
    """A part's nn.Sequential giving its usual output first, then each drawn layer's activations (ae.registry.NETWORK),
    with the export's clamp: the page's network and its live path run this one file."""

    def __init__(self, part: str, sequential: nn.Sequential):
        super().__init__()
        self.sequential = sequential
        self.taken = [layer.after for layer in NETWORK if layer.part == part][:-1]  # the last is the usual output

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        taken = []
        for i, module in enumerate(self.sequential):
            x = module(x)
            if i in self.taken:
                taken.append(x)
        return (x.clamp(0, 1) if isinstance(self.sequential[-1], nn.Sigmoid) else x, *taken)


def as_exported(model: nn.Module, spec: Spec) -> nn.Module:
    """model, in place, with its weights rounded as spec's ONNX files store them (float16 where spec.half): the torch
    reference the exports are compared with."""
    if spec.half:
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(p.half().float())
    return model


def load_exported(spec: Spec, weights_dir: Path = WEIGHTS_DIR) -> nn.Module:
    """spec's model in torch as its ONNX files hold it: what the page and the server run."""
    return as_exported(load_model(weights_dir / spec.weights, spec.kind)[0], spec)


def halve_weights(proto) -> None:
    """Store the float weights as float16, each cast back to float32 by the graph: half the bytes to download,
    the same float32 arithmetic on the way."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    graph = proto.graph
    kept, casts = [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            kept.append(init)
            continue
        half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), f"{init.name}.fp16")
        kept.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)


def strip(proto) -> None:
    """Drop what only debugging needs: each node's stack trace (it names this machine's paths) and shape notes."""
    for node in proto.graph.node:
        del node.metadata_props[:]
    del proto.graph.value_info[:]


def to_onnx(module: nn.Module, example: torch.Tensor, input_name: str, output_names: list[str], *, half: bool) -> bytes:
    """module traced on example (B, ...) with a free batch size, as ONNX opset 18 bytes."""
    with torch.random.fork_rng(devices=[]):  # tracing must not move the caller's random numbers (training)
        program = torch.onnx.export(module.eval(), (example,), None, input_names=[input_name],
                                    output_names=output_names, dynamic_shapes=({0: torch.export.Dim("batch")},),
                                    dynamo=True, opset_version=18, verbose=False)
    proto = program.model_proto
    strip(proto)
    if half:
        halve_weights(proto)
    return proto.SerializeToString()


def export_model(model: nn.Module, spec: Spec, out: Path) -> dict[str, str]:
    """Write the ONNX files spec names (encoder and decoder, or the judge) and record their SHA-256 in out/onnx.json."""
    x = torch.zeros(2, 1, IMAGE_SIZE, IMAGE_SIZE)
    if spec.kind == "Classifier":
        files = {spec.onnx["judge"]: to_onnx(Judge(model), x, "x", ["features", "logits"], half=spec.half)}
    else:
        z = torch.zeros(2, model.latent_dim)
        encoder = mean_encoder(model) if isinstance(model, VAE) else Encoder(model)
        files = {spec.onnx["encoder"]: to_onnx(encoder, x, "x", ["z"], half=spec.half),
                 spec.onnx["decoder"]: to_onnx(Decoder(model), z, "z", ["image"], half=spec.half)}
        for part, name in spec.layer_onnx.items():
            sequential, example, feed = (model.encoder, x, "x") if part == "encoder_layers" else (model.decoder, z, "z")
            layers = Layers(part.removesuffix("_layers"), sequential)
            files[name] = to_onnx(layers, example, feed, list(spec.signature(part)[1]), half=spec.half)
    return write_files(files, out)


def export_decoder(model: nn.Module, path: Path) -> str:
    """Write model's decoder alone as a float16 ONNX file (a recorded point of a training run); returns its
    SHA-256."""
    z = torch.zeros(2, model.latent_dim)
    return write_files({path.name: to_onnx(Decoder(model), z, "z", ["image"], half=True)}, path.parent)[path.name]


def write_files(files: dict[str, bytes], out: Path) -> dict[str, str]:
    """Write ONNX files into out and record their SHA-256 in out/onnx.json, which the server checks at start."""
    for name, data in files.items():
        (out / name).write_bytes(data)
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = out / MANIFEST
    recorded = json.loads(manifest.read_text()) if manifest.exists() else {}
    manifest.write_text(json.dumps(dict(sorted({**recorded, **sums}.items())), indent=1) + "\n")
    return sums
