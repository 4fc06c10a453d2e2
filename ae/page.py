"""What the page needs to run the live path itself: each space's sliders, map and meter, and the example digits.

The page's files are built here once at start-up; serving.py serves them under fixed names.
"""
import base64
import json
from pathlib import Path

import numpy as np

from ae.config import LIMITS
from ae.inference import Assets, Space, project, read_json
from ae.meter import WARN_PERCENTILE
from ae.plots import PALETTE, curves_svg, map_extent, rebin, scatter_png
from ae.registry import NETWORK, PLANES, SIZES, Spec
from ae.store import FIX, WeightsError, load_tensors

MAP_SIZE = 320  # the latent map's side in px
ERROR_PERCENTILE = 99  # a drawing whose reconstruction error is beyond this percentile of the test digits' is unusual
PLANE_SAMPLES = 12  # codes from N(0, I) marked on each 2-D plane


def meter_pack(space: Space) -> bytes:
    """The meter's numbers as one little-endian buffer: the sorted reference distances (M,) float32, the
    codes (N, k) float16 (exactly the server's), their digits (N,) uint8."""
    return (space.meter_reference.astype("<f4").tobytes()
            + space.meter_codes.astype("<f2").tobytes()
            + space.meter_labels.astype(np.uint8).tobytes())


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
        "error_limit": float(errors[min(len(errors) - 1, int(len(errors) * ERROR_PERCENTILE / 100))]),
        "files": {**space.spec.page_onnx, "meter": f"{space.name}_meter.bin", "map": f"{space.name}_map.png"},
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
    examples = {"pixels": [base64.b64encode(x.tobytes()).decode() for x in assets.examples],
                "labels": assets.example_labels.tolist()}
    network = [{"name": n.name, "part": n.part, "shape": n.shape, "code": n.code, "parameters": n.parameters,
                "does": n.does} for n in NETWORK]  # the autoencoder's layers, drawn by ui/network.js
    files["spaces.json"] = json.dumps({"spaces": spaces, "network": network, "examples": examples, "palette": PALETTE,
                                       "limits": LIMITS,
                                       "map_size": MAP_SIZE, "error_percentile": ERROR_PERCENTILE}).encode()
    return files


def plane(weights_dir: Path, spec: Spec) -> tuple[dict, bytes]:
    """A 2-D model's test codes as a picture coloured by digit, exactly (no projection), with N(0, I) samples marked.

    The plane spans 99% of the codes and the square where N(0, I) puts nearly all its samples, so both show.
    """
    codes, _ = load_tensors(weights_dir / f"{spec.name}_codes.safetensors", "TestCodes")
    xy = codes["test_codes"]  # (10000, 2)
    x0, x1, y0, y1 = map_extent(xy)
    extent = (min(x0, -3.5), max(x1, 3.5), min(y0, -3.5), max(y1, 3.5))
    samples = np.random.default_rng(0).standard_normal((PLANE_SAMPLES, 2))
    info = {"title": spec.title, "extent": list(extent), "picture": f"{spec.name}_plane.png",
            "decoder": spec.onnx["decoder"], "samples": samples.tolist()}
    return info, scatter_png(xy, codes["test_labels"], extent, size=MAP_SIZE)


def bottleneck_files(weights_dir: Path) -> tuple[dict[str, bytes], list[str], list[str]]:
    """The code-size section's files: bottleneck.json (the models per size, the 2-D planes, what was measured), the
    planes' pictures and the measured curves; the ONNX files it runs; and a line for each file that could not be
    read, left out. Sizes whose weights are absent are left out."""
    sizes = [s for s in SIZES if (weights_dir / s.weights).is_file()]
    files, problems = {}, []
    info = {"sizes": [{"d": s.latent_dim, "files": s.page_onnx} for s in sizes], "planes": {}}
    onnx = [f for s in sizes if not s.on_sliders for f in s.onnx.values()]
    for spec in PLANES:
        if (weights_dir / f"{spec.name}_codes.safetensors").is_file():
            try:
                info["planes"][spec.family], files[f"{spec.name}_plane.png"] = plane(weights_dir, spec)
            except WeightsError as e:
                problems.append(str(e).replace(FIX, f"rewrite it with `{spec.rebuild}`"))
                continue
            onnx.append(spec.onnx["decoder"])
    measured = weights_dir / "bottleneck.json"
    if measured.is_file():
        try:
            info["measured"] = read_json(measured, "python benchmarks/bottleneck.py")
            files["bottleneck.svg"] = curves_svg(info["measured"]).encode()
        except WeightsError as e:
            problems.append(str(e))
        except (KeyError, TypeError, ValueError, AttributeError) as e:  # JSON, but not the figures the curves need
            info.pop("measured", None)
            problems.append(f"{measured} lacks the figures it should hold ({type(e).__name__}): write it with "
                            "`python benchmarks/bottleneck.py`")
    files["bottleneck.json"] = json.dumps(info).encode()
    return files, sorted(set(onnx)), problems


def pixels_b64(x: np.ndarray) -> str:
    """An image (..., 28, 28) in [0, 1] as base64 of its 784 bytes (row-major, 255 = white): what the page paints."""
    return base64.b64encode(np.round(np.clip(x.reshape(-1), 0, 1) * 255).astype(np.uint8).tobytes()).decode()
