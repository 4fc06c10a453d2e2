"""What storing an autoencoder's weights as float16 costs: its shipped ONNX files on 1,000 test digits against torch
as the files hold it (the weights rounded to float16) and against the float32 model they were exported from.

python benchmarks/float16_exports.py
"""
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python benchmarks/...` finds ae

from ae.config import WEIGHTS_DIR  # noqa: E402
from ae.data import load_mnist, to_float  # noqa: E402
from ae.export import load_exported  # noqa: E402
from ae.model import load_model  # noqa: E402
from ae.registry import SLIDERS  # noqa: E402
from ae.runtime import Model  # noqa: E402


def main() -> None:
    x = to_float(load_mnist().test_images[:1000])  # (1000, 1, 28, 28)
    print("| model | file (KB) | against | code, max abs diff | image, max abs diff | test MSE moved by |\n"
          "|---|---:|---|---:|---:|---:|")
    for spec in (s for s in SLIDERS if s.half):
        served = Model(WEIGHTS_DIR, spec)
        z = served.encode(x.numpy())  # (1000, k)
        image = served.decode(z)  # (1000, 1, 28, 28)
        size = sum((WEIGHTS_DIR / f).stat().st_size for f in spec.onnx.values()) / 1e3
        mse = float(((image - x.numpy()) ** 2).mean())
        for against, model in (("torch, float16-rounded", load_exported(spec)),
                               ("torch, float32", load_model(WEIGHTS_DIR / spec.weights, spec.kind)[0])):
            with torch.no_grad():
                z_torch = model.encode(x)
                image_torch = model.decode(z_torch).clamp(0, 1).numpy()
            moved = abs(mse - float(((image_torch - x.numpy()) ** 2).mean()))
            print(f"| {spec.name} | {size:.0f} | {against} | {np.abs(z - z_torch.numpy()).max():.1e} "
                  f"| {np.abs(image - image_torch).max():.1e} | {moved:.1e} |")


if __name__ == "__main__":
    main()
