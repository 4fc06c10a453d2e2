"""Checks for everything that arrives from outside (request bodies, API arguments, the canvas's value): each failure
a ValueError that says what is wrong, so callers answer it with a message."""
import base64
import binascii
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ae.config import IMAGE_SIZE, LATENT_DIM, MAX_CODE, MAX_COORD, MAX_POINTS, MAX_STROKES


@dataclass(frozen=True)
class Drawing:
    """What the canvas holds: strokes (each (n, 2) float64 points, x right, y down) or an example's pixels (28, 28)."""
    strokes: list[np.ndarray] | None = None
    image: np.ndarray | None = None


def encodable(msg: Any) -> bool:
    """Every string in msg can be written as UTF-8 (JSON's escapes allow lone surrogates such as \\ud800)."""
    try:
        json.dumps(msg, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_json(text: str, what: str = "body") -> Any:
    """json.loads with every failure as a ValueError: deep nesting (RecursionError), 400-digit numbers and text
    that is not valid Unicode included."""
    try:
        msg = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} is not valid JSON: {e}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to be a drawing or a code") from None
    except ValueError as e:  # Python refuses integers of more than 4300 digits
        raise ValueError(f"{what} holds a number too large to read: {str(e)[:80]}") from None
    if not encodable(msg):
        raise ValueError(f"{what} holds text that is not valid Unicode (a lone surrogate such as \\ud800)")
    return msg


def to_float(v: Any, what: str) -> float:
    """A JSON number as a finite float, or a ValueError naming it (bools, strings, 1e400 and 10**400 included)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{what} must be a number, got {type(v).__name__}")
    try:
        f = float(v)
    except OverflowError:
        raise ValueError(f"{what} is too large") from None
    if not math.isfinite(f):
        raise ValueError(f"{what} must be finite, got {v}")
    return f


def check_finite(a: np.ndarray, what: str) -> np.ndarray:
    """a itself if every number in it is finite; ValueError naming it otherwise."""
    if not np.isfinite(a).all():
        raise ValueError(f"{what} is not finite (NaN or infinity): try another drawing")
    return a


def check_code(values: Sequence[float], k: int = LATENT_DIM) -> np.ndarray:
    """k finite numbers, each at most MAX_CODE in size, as a code (1, k) float32; ValueError saying what is wrong.

    Any such code decodes, however far from the data: that is the lesson. The bound keeps the decoder's sums finite.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"a code must be a list of {k} numbers, got {type(values).__name__}")
    if len(values) != k:
        raise ValueError(f"a code must have {k} numbers, got {len(values)}")
    z = [to_float(v, f"z{i}") for i, v in enumerate(values)]
    for i, v in enumerate(z):
        if abs(v) > MAX_CODE:
            raise ValueError(f"z{i} = {v:g}: each number must lie in [-{MAX_CODE:g}, {MAX_CODE:g}]")
    return np.array([z], dtype=np.float32)  # (1, k)


def check_image(pixels: Sequence[Sequence[float]]) -> np.ndarray:
    """A 28x28 nested list of numbers in [0, 1] (white ink on black) as a model input (1, 1, 28, 28) float32."""
    try:
        a = np.asarray(pixels, dtype=np.float64)
    except (ValueError, TypeError):
        raise ValueError(f"an image must be {IMAGE_SIZE} rows of {IMAGE_SIZE} numbers") from None
    except OverflowError:  # a 400-digit integer
        raise ValueError("an image's pixels must lie in [0, 1], got a number too large to read") from None
    if a.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"an image must be {IMAGE_SIZE}x{IMAGE_SIZE} numbers, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("an image must hold finite numbers, got NaN or infinity")
    if a.min() < 0 or a.max() > 1:
        raise ValueError(f"pixels must lie in [0, 1], got values from {a.min():g} to {a.max():g}")
    return a.astype(np.float32)[None, None]  # (1, 1, 28, 28)


def check_strokes(strokes: Any) -> list[np.ndarray]:
    """A list of strokes, each a non-empty list of [x, y] canvas points, as arrays (n, 2); ValueError otherwise."""
    if not isinstance(strokes, list):
        raise ValueError(f"strokes must be a list of strokes, got {type(strokes).__name__}")
    if len(strokes) > MAX_STROKES:
        raise ValueError(f"a drawing has at most {MAX_STROKES} strokes, got {len(strokes)}")
    out, total = [], 0
    for i, stroke in enumerate(strokes):
        if not isinstance(stroke, list) or not stroke:
            raise ValueError(f"stroke {i} must be a non-empty list of [x, y] points")
        total += len(stroke)
        if total > MAX_POINTS:
            raise ValueError(f"a drawing has at most {MAX_POINTS} points: Undo or Clear some strokes")
        points = []
        for p in stroke:
            if not isinstance(p, list) or len(p) != 2:
                raise ValueError(f"stroke {i}: each point must be [x, y], got {str(p)[:40]}")
            x, y = to_float(p[0], f"stroke {i}: x"), to_float(p[1], f"stroke {i}: y")
            if abs(x) > MAX_COORD or abs(y) > MAX_COORD:
                raise ValueError(f"stroke {i}: points are canvas pixels, at most {MAX_COORD:g} in size, "
                                 f"got [{x:g}, {y:g}]")
            points.append((x, y))
        out.append(np.array(points, dtype=np.float64))
    return out


def check_pixels(text: Any) -> np.ndarray:
    """An example's 28x28 pixels, base64 of 784 bytes (row-major, 255 = white ink), as floats (28, 28) in [0, 1]."""
    if not isinstance(text, str):
        raise ValueError(f"image must be a base64 string, got {type(text).__name__}")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"image is not valid base64: {e}") from None
    if len(raw) != IMAGE_SIZE * IMAGE_SIZE:
        raise ValueError(f"image must hold {IMAGE_SIZE * IMAGE_SIZE} bytes, got {len(raw)}")
    return np.frombuffer(raw, dtype=np.uint8).reshape(IMAGE_SIZE, IMAGE_SIZE).astype(np.float64) / 255


def drawing_from(msg: Any) -> Drawing | None:
    """A drawing as JSON data, {"strokes": [[[x, y], ...], ...]} or {"image": base64}, checked; None for no strokes."""
    if not isinstance(msg, dict) or len(msg) != 1 or not msg.keys() <= {"strokes", "image"}:
        raise ValueError('a drawing must be a JSON object {"strokes": [[[x, y], ...], ...]} or {"image": base64}')
    if "image" in msg:
        return Drawing(image=check_pixels(msg["image"]))
    strokes = check_strokes(msg["strokes"])
    return Drawing(strokes=strokes) if strokes else None


def parse_drawing(payload: Any) -> Drawing | None:
    """The canvas's value, a drawing as a JSON string (see drawing_from), or "" for an empty canvas (None)."""
    if payload is None or payload == "":
        return None
    if not isinstance(payload, str):
        raise ValueError(f"a drawing must be a JSON string, got {type(payload).__name__}")
    return drawing_from(parse_json(payload, "the drawing"))


def parse_request(body: str, keys: set[str], shape: str) -> dict:
    """A JSON object with exactly these keys, or a ValueError showing the shape expected."""
    msg = parse_json(body)
    if not isinstance(msg, dict) or msg.keys() != keys:
        raise ValueError(f"body must be a JSON object {shape}")
    return msg


def check_name(name: Any, names: Sequence[str], what: str = "space") -> str:
    """One of names, or a ValueError listing them."""
    if not isinstance(name, str) or name not in names:
        raise ValueError(f"{what} must be one of {sorted(names)}, got {str(name)[:40]!r}")
    return name


def check_names(names: Any, allowed: Sequence[str], what: str = "spaces") -> list[str]:
    """A non-empty list of distinct names from allowed."""
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n in allowed for n in names) \
            or len(set(names)) != len(names):
        raise ValueError(f"{what} must be a list of distinct names from {sorted(allowed)}")
    return names
