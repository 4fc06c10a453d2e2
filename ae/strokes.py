"""A drawing as the canvas sends it (strokes of points, or an example's pixels), prepared the way MNIST was made.

ui/prepare.js does the same in the page; the browser tests hold the two to PREPARE_TOLERANCE of each other.
"""
import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ae.checks import parse_json, to_float
from ae.config import IMAGE_SIZE

BOX = 20.0  # MNIST fitted each digit, ink and all, in a 20x20 box keeping its aspect ratio
PEN = 3.0  # stroke width in model pixels, whatever the drawing's size: drawn digits then carry MNIST's mean ink (103 of 784)
REACH = PEN / 2 + 0.5  # a pixel farther than this from every stroke gets no ink
CENTRE = 14.0  # MNIST's centre of mass in pixel indices (the training set's mean is 14.00 down, 14.01 across)
MAX_STROKES, MAX_POINTS = 200, 4000  # a digit has a few strokes of a few hundred points (the page drops points < 1 px apart)
MAX_COORD = 10_000.0  # points are canvas pixels; anything larger is not a drawing
PREPARE_TOLERANCE = 1e-4  # |page - server| per pixel of the prepared 28x28 (both float64 arithmetic; measured ~1e-15)


@dataclass(frozen=True)
class Drawing:
    """What the canvas holds: strokes (each (n, 2) float64 points, x right, y down) or an example's pixels (28, 28)."""
    strokes: list[np.ndarray] | None = None
    image: np.ndarray | None = None


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
                raise ValueError(f"stroke {i}: points are canvas pixels, at most {MAX_COORD:g} in size, got [{x:g}, {y:g}]")
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


def encode_image(pixels: np.ndarray) -> str:
    """uint8 pixels (28, 28) as the canvas value of an example: '{"image": base64}'."""
    return json.dumps({"image": base64.b64encode(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()).decode()})


def segments_of(strokes: list[np.ndarray]) -> np.ndarray:
    """Every stroke's consecutive point pairs (S, 2, 2); a one-point stroke (a tap) is a segment of length 0."""
    pairs = [np.stack([s[:-1], s[1:]], axis=1) if len(s) > 1 else s[None, [0, 0]] for s in strokes]
    return np.concatenate(pairs)


def render(segments: np.ndarray) -> np.ndarray:
    """Ink (28, 28) of segments (S, 2, 2) in pixel units: pixel (r, c) samples the point (c, r) and is covered by
    REACH - (its distance to the nearest segment), clipped to [0, 1]: a pen of width PEN, anti-aliased."""
    ys, xs = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    p = np.stack([xs, ys], axis=-1).reshape(-1, 1, 2).astype(np.float64)  # (784, 1, 2)
    a, ab = segments[:, 0], segments[:, 1] - segments[:, 0]  # (S, 2) each
    length2 = (ab * ab).sum(-1)  # (S,)
    t = ((p - a) * ab).sum(-1) / np.where(length2 > 0, length2, 1.0)  # (784, S) position along each segment
    t = np.where(length2 > 0, np.clip(t, 0.0, 1.0), 0.0)
    d = np.sqrt((((a + t[..., None] * ab) - p) ** 2).sum(-1)).min(axis=1)  # (784,)
    return np.clip(REACH - d, 0.0, 1.0).reshape(IMAGE_SIZE, IMAGE_SIZE)


def centre_of_mass(ink: np.ndarray) -> np.ndarray:
    """(x, y) of ink (28, 28) in pixel indices."""
    ys, xs = np.indices(ink.shape)
    return np.array([(ink * xs).sum(), (ink * ys).sum()]) / ink.sum()


def prepare_strokes(strokes: list[np.ndarray]) -> np.ndarray:
    """Strokes to the model's input (28, 28) in [0, 1], as MNIST was made.

    Scale the drawing so its longer side, ink included, fills the 20x20 box; draw it with a pen of MNIST's
    width (so a small drawing gets thin strokes, not the blob its scaled-up pixels would make); then move it,
    by sub-pixel amounts since strokes are exact, so that its centre of mass lies on MNIST's (14, 14).
    """
    points = np.concatenate(strokes)  # (N, 2)
    lo, hi = points.min(axis=0), points.max(axis=0)
    side = (hi - lo).max()
    scale = (BOX - 2 * REACH) / side if side > 0 else 0.0  # ink reaches REACH beyond a stroke: all of it in 20 px
    segments = (segments_of(strokes) - lo) * scale  # (S, 2, 2), the drawing's box from (0, 0)
    segments += CENTRE - (hi - lo) * scale / 2  # its box centred first
    segments += CENTRE - centre_of_mass(render(segments))  # then its centre of mass
    return render(segments)


def drawing_to_input(drawing: Drawing | None) -> torch.Tensor | None:
    """A Drawing as the model's input (1, 1, 28, 28) float32 in [0, 1]; None for no drawing."""
    if drawing is None:
        return None
    x = drawing.image if drawing.image is not None else prepare_strokes(drawing.strokes)
    return torch.from_numpy(x.astype(np.float32))[None, None]
