"""A drawing as the canvas sends it (strokes of points, or an example's pixels), prepared the way MNIST was made.

ui/prepare.js does the same in the page; the browser tests hold the two to PREPARE_TOLERANCE of each other.
"""
import base64
import json

import numpy as np

from ae.checks import Drawing, check_finite
from ae.config import IMAGE_SIZE

BOX = 20.0  # MNIST fitted each digit, ink and all, in a 20x20 box keeping its aspect ratio
# stroke width in model pixels, whatever the drawing's size: drawn digits then carry MNIST's mean ink (103 of 784)
PEN = 3.0
REACH = PEN / 2 + 0.5  # a pixel farther than this from every stroke gets no ink
CENTRE = 14.0  # MNIST's centre of mass in pixel indices (the training set's mean is 14.00 down, 14.01 across)
MIN_SIDE = 1e-3  # canvas px: a drawing smaller than this is a dot (its scale, 16 / side, would overflow near 1e-308)
CHUNK = 128  # segments rendered at once: (784, 128) float64 arrays, under 1 MB each
PREPARE_TOLERANCE = 1e-4  # |page - server| per pixel of the prepared 28x28 (both float64 arithmetic; measured ~1e-15)


def encode_image(pixels: np.ndarray) -> str:
    """uint8 pixels (28, 28) as the canvas value of an example: '{"image": base64}'."""
    return json.dumps({"image": base64.b64encode(np.ascontiguousarray(pixels, dtype=np.uint8).tobytes()).decode()})


def segments_of(strokes: list[np.ndarray]) -> np.ndarray:
    """Every stroke's consecutive point pairs (S, 2, 2); a one-point stroke (a tap) is a segment of length 0."""
    pairs = [np.stack([s[:-1], s[1:]], axis=1) if len(s) > 1 else s[None, [0, 0]] for s in strokes]
    return np.concatenate(pairs)


def render(segments: np.ndarray) -> np.ndarray:
    """Ink (28, 28) of segments (S, 2, 2) in pixel units: pixel (r, c) samples the point (c, r) and is covered by
    REACH - (its distance to the nearest segment), clipped to [0, 1]: a pen of width PEN, anti-aliased.

    CHUNK segments at a time, each chunk over only the pixels within REACH of its box, keeping each pixel's nearest
    distance: memory is bounded by 784 x CHUNK whatever the drawing, and a pixel farther away gets no ink anyway.
    """
    nearest = np.full(IMAGE_SIZE * IMAGE_SIZE, np.inf)  # (784,)
    for i in range(0, len(segments), CHUNK):
        chunk = segments[i:i + CHUNK]  # (C, 2, 2)
        c0, r0 = np.maximum(np.floor(chunk.min(axis=(0, 1)) - REACH), 0).astype(int)
        c1, r1 = np.minimum(np.ceil(chunk.max(axis=(0, 1)) + REACH), IMAGE_SIZE - 1).astype(int)
        if c0 > c1 or r0 > r1:  # the chunk lies off the image
            continue
        ys, xs = np.mgrid[r0:r1 + 1, c0:c1 + 1]
        p = np.stack([xs, ys], axis=-1).reshape(-1, 1, 2).astype(np.float64)  # (P, 1, 2)
        a, ab = chunk[:, 0], chunk[:, 1] - chunk[:, 0]  # (C, 2) each
        length2 = (ab * ab).sum(-1)  # (C,)
        t = ((p - a) * ab).sum(-1) / np.where(length2 > 0, length2, 1.0)  # (P, C) position along each segment
        t = np.where(length2 > 0, np.clip(t, 0.0, 1.0), 0.0)
        d = np.sqrt((((a + t[..., None] * ab) - p) ** 2).sum(-1)).min(axis=1)  # (P,)
        index = (ys * IMAGE_SIZE + xs).reshape(-1)
        nearest[index] = np.minimum(nearest[index], d)
    return np.clip(REACH - nearest, 0.0, 1.0).reshape(IMAGE_SIZE, IMAGE_SIZE)


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
    # ink reaches REACH beyond a stroke: all of it in 20 px
    scale = (BOX - 2 * REACH) / side if side > MIN_SIDE else 0.0
    segments = (segments_of(strokes) - lo) * scale  # (S, 2, 2), the drawing's box from (0, 0)
    segments += CENTRE - (hi - lo) * scale / 2  # its box centred first
    segments += CENTRE - centre_of_mass(render(segments))  # then its centre of mass
    return render(segments)


def drawing_to_input(drawing: Drawing | None) -> np.ndarray | None:
    """A Drawing as the model's input (1, 1, 28, 28) float32 in [0, 1]; None for no drawing; ValueError if the
    preparation is not finite (no drawing within the checks' limits gives that: a guard, never computed with)."""
    if drawing is None:
        return None
    x = drawing.image if drawing.image is not None else prepare_strokes(drawing.strokes)
    return check_finite(x.astype(np.float32)[None, None], "the prepared drawing")
