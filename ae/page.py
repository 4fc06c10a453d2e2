"""What the page needs to run the live path itself: each space's sliders, map and meter, and the example digits.

The page's files are built here once at start-up; serving.py serves them under fixed names.
"""
import base64
import json
from pathlib import Path

import numpy as np

from ae.config import LIMITS, REPLAY_DIGITS
from ae.inference import Assets, Space, project, read_json
from ae.meter import WARN_PERCENTILE
from ae.plots import PALETTE, curves_svg, map_extent, rebin, scatter_png
from ae.registry import NETWORK, PLANES, RECORDINGS, SIZES, Recording, Spec
from ae.runtime import Model, ModelFileError, checked, recorded_sums
from ae.store import FIX, WeightsError, load_tensors

MAP_SIZE = 320  # the latent map's side in px
ERROR_PERCENTILE = 99  # a drawing whose reconstruction error is beyond this percentile of the test digits' is unusual
PLANE_SAMPLES = 12  # codes from N(0, I) marked on each 2-D plane
RECORDED_LEVELS = 4  # of 255: a recording's last reconstructions and its shipped model's (float16 ONNX) differ by < 1
LIVE_SPACE = "ae"  # the sliders' space as the page opens (spaces.json's "space"): only its files are on the live path


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
    files["spaces.json"] = json.dumps({"spaces": spaces, "space": LIVE_SPACE, "network": network, "examples": examples,
                                       "palette": PALETTE, "limits": LIMITS,
                                       "map_size": MAP_SIZE, "error_percentile": ERROR_PERCENTILE}).encode()
    return files


def plane_extent(*xys: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of a 2-D plane: 99% of each set of codes (M, 2) and the square where N(0, I) puts nearly
    all its samples."""
    boxes = np.array([map_extent(xy) for xy in xys] + [(-3.5, 3.5, -3.5, 3.5)])  # (S + 1, 4)
    return float(boxes[:, 0].min()), float(boxes[:, 1].max()), float(boxes[:, 2].min()), float(boxes[:, 3].max())


def plane(weights_dir: Path, spec: Spec) -> tuple[dict, bytes]:
    """A 2-D model's test codes as a picture coloured by digit, exactly (no projection), with N(0, I) samples marked.

    The plane spans 99% of the codes and the square where N(0, I) puts nearly all its samples, so both show.
    """
    codes, _ = load_tensors(weights_dir / f"{spec.name}_codes.safetensors", "TestCodes")
    xy = codes["test_codes"]  # (10000, 2)
    extent = plane_extent(xy)
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


def ends_at(recons: np.ndarray, model: Model, examples: np.ndarray) -> bool:
    """True when a recording's last reconstructions of the seed's digits (10, 28, 28) uint8 are the shipped model's
    (its ONNX files, given the digits (10, 28, 28) uint8), up to float16 and rounding: the recording is of the run
    that made the shipped model (the point before it is some 80 levels away)."""
    out = model.decode(model.encode(examples[:, None] / np.float32(255)))[:, 0] * 255  # (10, 28, 28)
    return bool(np.abs(out - recons).max() <= RECORDED_LEVELS)


def replay_run(weights_dir: Path, rec: Recording, examples: np.ndarray,
               sums: dict[str, str]) -> tuple[dict, bytes, dict[str, bytes], list]:
    """One recorded run: its entry in replay.json, its frames pack (the seed's ten digits reconstructed (P, 10, 28,
    28) uint8, then the codes (P, N, 2) float16), the decoder files it keeps, and a line for each that is unusable.

    A recording of a shipped model must end at it (examples: the seed's digits); sums: weights/onnx.json, which its
    decoders are checked against. Raises WeightsError.
    """
    path = weights_dir / rec.file
    fix = f"record it with `{rec.command}`"
    t, facts = load_tensors(path, "Replay")
    steps = t.get("steps", np.zeros(0)).tolist()
    points = len(steps)
    shapes = {"epochs": (points,), "train_loss": (points,), "test_mse": (points,), "recons": (points, 10, 28, 28)}
    if rec.codes:
        shapes["codes"] = (points, REPLAY_DIGITS, 2)
    if points < 2 or facts.get("name") != rec.name or any(
            k not in t or t[k].shape != shape for k, shape in shapes.items()):
        raise WeightsError(f"{path} is not a recording of {rec.name} (its points or names differ): {fix}")
    if not rec.zero_bias and not ends_at(t["recons"][-1], Model(weights_dir, rec.spec), examples):
        raise WeightsError(f"{path} records another training run than weights/{rec.spec.weights} (its last point "
                           f"does not reconstruct the seed's digits as the shipped model does): {fix}")
    pack = t["recons"].astype(np.uint8).tobytes()
    entry = {"title": rec.title, "steps": steps, "epochs": t["epochs"].tolist(),
             # the training loss since the last point, drawn beside the test MSE where it is the same measure
             "train_mse": [None if np.isnan(v) else float(v) for v in t["train_loss"]]
             if rec.spec.family == "ae" else None,
             "test_mse": t["test_mse"].tolist(), "codes": rec.codes, "pack": f"{rec.name}_replay.bin",
             "recording_s": facts.get("recording_s"), "wall_time_s": facts.get("wall_time_s"),
             "command": rec.command, "decoders": {}}
    if rec.codes:
        codes = t["codes"].astype("<f2")  # (P, N, 2)
        entry["extent"] = list(plane_extent(*codes.astype(np.float32)))
        pack += codes.tobytes()
    files, problems = {}, []
    shipped_decoder = rec.spec.onnx["decoder"]
    for step, name in facts.get("decoders", {}).items():
        if name in sums and sums[name] == sums.get(shipped_decoder):
            name = shipped_decoder  # the last point's is the shipped decoder itself: the page loads it once
        try:
            files[name] = checked(weights_dir / name, sums, name)
        except ValueError as e:
            problems.append(f"{e}: {fix}")
            continue
        entry["decoders"][steps.index(int(step))] = name
    return entry, pack, files, problems


def replay_files(weights_dir: Path, examples: np.ndarray) -> tuple[dict[str, bytes], list[str]]:
    """The replay's files: replay.json (each recorded run's points, curves and decoders, the digits' labels, what
    could not be read), a frames pack per run, the recorded decoders; and a line for each file left out.

    examples: the seed's ten digits (10, 28, 28) uint8, which a recording of a shipped model must end reconstructing
    as that model does."""
    files, problems, runs, labels = {}, [], {}, ""
    sums = recorded_sums(weights_dir)
    for rec in RECORDINGS.values():
        try:  # the planes' dots are coloured by the shipped model's test labels; its ONNX files check the recording
            if rec.codes:
                shipped, _ = load_tensors(weights_dir / f"{rec.spec.name}_codes.safetensors", "TestCodes")
                labels = "".join(str(d) for d in shipped["test_labels"][:REPLAY_DIGITS])
        except WeightsError as e:
            problems.append(str(e).replace(FIX, f"rewrite it with `{rec.spec.rebuild}`"))
            continue
        try:
            entry, pack, decoders, lines = replay_run(weights_dir, rec, examples, sums)
        except WeightsError as e:
            problems.append(str(e).replace(FIX, f"record it with `{rec.command}`"))
            continue
        except ModelFileError as e:  # the shipped model's own file: what rewrites it says so
            problems.append(str(e))
            continue
        runs[rec.name] = entry
        files[entry["pack"]] = pack
        files.update(decoders)
        problems += lines
    files["replay.json"] = json.dumps({"runs": runs, "labels": labels, "problems": problems}).encode()
    return files, problems
