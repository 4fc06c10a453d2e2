"""The drawing canvas's wire format, and turning a drawing into a model input the way MNIST was made."""
import base64
import binascii
import json

import numpy as np
import torch
from PIL import Image

from ae.config import IMAGE_SIZE

MIN_SIDE, MAX_SIDE = 8, 512  # accepted canvas sizes (w, h) in a payload, in pixels
MAX_PAYLOAD_CHARS = 400_000  # > a 512x512 canvas in base64 (349,528 chars) plus the JSON around it
KEYS = {"w", "h", "ink", "seq", "final"}
INK_THRESHOLD = 0.1  # ink fainter than this (in [0, 1]) is smoothing fringe or noise, not part of the digit
BOX = 20  # MNIST scaled each digit's longer side to 20 px, then centred it in the 28x28 frame


def check_int(msg: dict, key: str, lo: int, hi: int) -> int:
    """msg[key] as an int in [lo, hi], or a ValueError naming the key."""
    v = msg[key]
    if type(v) is not int:  # bool is an int subclass, and 64.0 is not a size
        raise ValueError(f"payload field {key!r} must be an integer, got {type(v).__name__} {v!r}")
    if not lo <= v <= hi:
        raise ValueError(f"payload field {key!r} must be in [{lo}, {hi}], got {v}")
    return v


def parse_payload(payload: str | None) -> np.ndarray | None:
    """The canvas's JSON payload to its ink (H, W) uint8, 255 = white ink; None for an empty canvas ("")."""
    if payload is None or payload == "":  # gradio hands an unset value over as None
        return None
    if not isinstance(payload, str):
        raise ValueError(f"payload must be a str, got {type(payload).__name__}")
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise ValueError(f"payload is {len(payload)} characters, more than the {MAX_PAYLOAD_CHARS} allowed")
    try:
        msg = json.loads(payload)
    except json.JSONDecodeError as e:
        raise ValueError(f"payload is not valid JSON: {e}") from None
    if not isinstance(msg, dict):
        raise ValueError(f"payload must be a JSON object, got {type(msg).__name__}")
    if msg.keys() != KEYS:
        missing, extra = sorted(KEYS - msg.keys()), sorted(msg.keys() - KEYS)
        raise ValueError(f"payload keys must be {sorted(KEYS)}: missing {missing}, unexpected {extra}")
    w = check_int(msg, "w", MIN_SIDE, MAX_SIDE)
    h = check_int(msg, "h", MIN_SIDE, MAX_SIDE)
    check_int(msg, "seq", 0, 2**53 - 1)  # JS Number.MAX_SAFE_INTEGER
    if type(msg["final"]) is not bool:
        raise ValueError(f"payload field 'final' must be true or false, got {msg['final']!r}")
    if not isinstance(msg["ink"], str):
        raise ValueError(f"payload field 'ink' must be a base64 string, got {type(msg['ink']).__name__}")
    try:
        raw = base64.b64decode(msg["ink"], validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError(f"payload field 'ink' is not valid base64: {e}") from None
    if len(raw) != w * h:
        raise ValueError(f"payload field 'ink' holds {len(raw)} bytes, expected w*h = {w}*{h} = {w * h}")
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w).copy()  # (H, W), writable


def encode_payload(ink: np.ndarray, *, seq: int = 0) -> str:
    """Ink (H, W) uint8 as a final payload, the format the page paints when Python sets the canvas."""
    if not isinstance(ink, np.ndarray) or ink.ndim != 2 or ink.dtype != np.uint8:
        raise ValueError(f"ink must be a (H, W) uint8 array, got {getattr(ink, 'dtype', type(ink).__name__)} "
                         f"of shape {getattr(ink, 'shape', None)}")
    h, w = ink.shape
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise ValueError(f"ink sides must be in [{MIN_SIDE}, {MAX_SIDE}], got {h}x{w}")
    b64 = base64.b64encode(np.ascontiguousarray(ink).tobytes()).decode("ascii")
    return json.dumps({"w": w, "h": h, "ink": b64, "seq": seq, "final": True})


def to_unit_float(ink: np.ndarray) -> np.ndarray:
    """A (H, W) uint8 (0..255) or float (0..1) array as float32 in [0, 1]; ValueError for anything else."""
    if not isinstance(ink, np.ndarray):
        raise ValueError(f"ink must be a numpy array, got {type(ink).__name__}")
    if ink.ndim != 2 or 0 in ink.shape:
        raise ValueError(f"ink must be a non-empty (H, W) array, got shape {ink.shape}")
    if ink.dtype == np.uint8:
        return ink.astype(np.float32) / 255.0
    if not np.issubdtype(ink.dtype, np.floating):
        raise ValueError(f"ink must be uint8 or float, got {ink.dtype}")
    if not np.isfinite(ink).all():
        raise ValueError("ink contains NaN or infinite values")
    return ink.astype(np.float32).clip(0.0, 1.0)


def canvas_to_input(ink: np.ndarray) -> torch.Tensor | None:
    """A drawing (H, W), white on black, to a model input (1, 1, 28, 28) in [0, 1]; None if nothing is drawn.

    MNIST's recipe: crop to the ink, scale the longer side to 20 px with anti-aliasing, then place it
    in 28x28 with its centre of mass on the centre pixel (14, 14), moved by whole pixels as MNIST was.
    """
    x = to_unit_float(ink)  # (H, W)
    rows = np.flatnonzero((x > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((x > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    crop = x[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]  # (h, w)
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))  # PIL sizes are (width, height)
    # LANCZOS on float data: anti-aliased when shrinking, smooth when a tiny drawing is enlarged
    digit = np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.LANCZOS)).clip(0.0, 1.0)  # (h', w')
    ys, xs = np.indices(digit.shape)
    mass = digit.sum()
    # whole-pixel offset putting the centre of mass on (14, 14); a sub-pixel shift would blur the strokes
    top = round(IMAGE_SIZE / 2 - (digit * ys).sum() / mass)
    left = round(IMAGE_SIZE / 2 - (digit * xs).sum() / mass)
    out = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    y0, y1 = max(top, 0), min(top + digit.shape[0], IMAGE_SIZE)  # clipped to the frame
    x0, x1 = max(left, 0), min(left + digit.shape[1], IMAGE_SIZE)
    out[y0:y1, x0:x1] = digit[y0 - top:y1 - top, x0 - left:x1 - left]
    return torch.from_numpy(out)[None, None]  # (1, 1, 28, 28)
