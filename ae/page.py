"""What the page needs to run the live path itself: each space's sliders, map and meter, and the example digits.

The page's files are built here once at start-up; serving.py serves them under fixed names.
"""
import base64
import json

import numpy as np
import torch

from ae.inference import WARN_PERCENTILE, Assets, Space, project
from ae.plots import PALETTE, map_extent, rebin, scatter_png

MAP_SIZE = 320  # the latent map's side in px
ERROR_PERCENTILE = 99  # a drawing whose reconstruction error is beyond this percentile of the test digits' is unusual


def meter_pack(space: Space) -> bytes:
    """The meter's numbers as one little-endian buffer: the sorted reference distances (M,) float32, the
    codes (N, k) float16 (exactly the server's), their digits (N,) uint8."""
    return (space.meter_reference.numpy().astype("<f4").tobytes()
            + space.meter_codes.numpy().astype("<f2").tobytes()
            + space.meter_labels.numpy().astype(np.uint8).tobytes())


def space_json(space: Space, extent: tuple[float, float, float, float]) -> dict:
    """A space's sliders (box and histograms), map projection, meter sizes and the files the page loads for it."""
    lo, hi = space.lo.tolist(), space.hi.tolist()
    n, k = space.meter_codes.shape
    errors = space.test_errors
    return {
        "title": space.title,
        "dim": k,
        "lo": lo,
        "hi": hi,
        "hist": [rebin(st["hist_edges"], st["hist_counts"], a, b) for st, a, b in zip(space.stats, lo, hi)],
        "centre": space.centre.tolist(),
        "axes": space.axes.tolist(),  # (2, k): the test codes' top two principal axes
        "extent": list(extent),  # x0, x1, y0, y1 of the map in projected coordinates
        "meter": {"codes": n, "reference": len(space.meter_reference), "warn_percentile": WARN_PERCENTILE},
        "error_limit": errors[min(len(errors) - 1, int(len(errors) * ERROR_PERCENTILE / 100))].item(),
        "files": {"encoder": f"{space.name}_encoder.onnx", "decoder": f"{space.name}_decoder.onnx",
                  "meter": f"{space.name}_meter.bin", "map": f"{space.name}_map.png"},
    }


def page_files(assets: Assets) -> dict[str, bytes]:
    """spaces.json, and per space its meter pack and map picture: name -> bytes."""
    files, spaces = {}, {}
    for name, space in assets.spaces.items():
        xy = project(space, space.test_codes)  # (10000, 2)
        extent = map_extent(xy)
        spaces[name] = space_json(space, extent)
        files[f"{name}_meter.bin"] = meter_pack(space)
        files[f"{name}_map.png"] = scatter_png(xy, space.test_labels, extent, size=MAP_SIZE)
    examples = {"pixels": [base64.b64encode(x.numpy().tobytes()).decode() for x in assets.examples],
                "labels": assets.example_labels.tolist()}
    files["spaces.json"] = json.dumps({"spaces": spaces, "examples": examples, "palette": PALETTE,
                                       "map_size": MAP_SIZE, "error_percentile": ERROR_PERCENTILE}).encode()
    return files


def pixels_b64(x: torch.Tensor) -> str:
    """An image (..., 28, 28) in [0, 1] as base64 of its 784 bytes (row-major, 255 = white): what the page paints."""
    return base64.b64encode((x.reshape(-1).clamp(0, 1) * 255).round().to(torch.uint8).numpy().tobytes()).decode()
