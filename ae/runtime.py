"""The server's models: the very ONNX files the page runs, on ONNX Runtime (no torch), one session per file.

Each session is made once at start-up with one intra-op thread and shared by every request: a run is thread-safe,
and on two cores one thread per request beats two fighting.
"""
import hashlib
import json
from pathlib import Path

import numpy as np

try:
    import onnxruntime as ort
except ImportError:  # the app's requirements hold it: say so in one line rather than a traceback
    raise SystemExit("onnxruntime is not installed: pip install -r requirements.txt") from None

from ae.registry import Spec

MANIFEST = "onnx.json"  # beside the ONNX files: name -> SHA-256, written by ae/export.py
MANIFEST_FIX = ("restore it with `git checkout -- weights`, or delete it and rewrite every model's ONNX files with "
                "`python train.py --model <family> --reuse` (ae/registry.py lists them)")


class ModelFileError(RuntimeError):
    """An ONNX file that is missing, unreadable or not the model the registry describes; the message says how to fix."""


def options() -> "ort.SessionOptions":
    o = ort.SessionOptions()
    o.intra_op_num_threads = o.inter_op_num_threads = 1
    o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    o.log_severity_level = 3  # errors only: the server's log stays readable
    return o


def check_signature(session: "ort.InferenceSession", spec: Spec, part: str, path: Path) -> None:
    """ModelFileError unless the file's inputs and outputs are the names and shapes spec says (a free batch size)."""
    want_in, want_out = spec.signature(part)
    for want, got in ((want_in, session.get_inputs()), (want_out, session.get_outputs())):
        shapes = {a.name: tuple("batch" if isinstance(d, str) or d is None else d for d in a.shape) for a in got}
        if shapes != want:
            raise ModelFileError(f"{path} is not the {spec.name} {part} ae/registry.py describes (it takes or gives "
                                 f"{shapes}, not {want}): rewrite it with `{spec.rebuild}`")


def recorded_sums(weights_dir: Path) -> dict[str, str]:
    """weights/onnx.json, the SHA-256 of every ONNX file as train.py wrote it; {} when it is missing, a
    ModelFileError naming it when it cannot be read."""
    path = weights_dir / MANIFEST
    if not path.is_file():
        return {}
    try:
        sums = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        sums = f"{type(e).__name__}: {str(e)[:80]}"
    if not isinstance(sums, dict):
        reason = sums if isinstance(sums, str) else "not a JSON object"
        raise ModelFileError(f"{path} cannot be read ({reason}): {MANIFEST_FIX}")
    return sums


def checked(path: Path, sums: dict[str, str], name: str) -> bytes:
    """The bytes of path if their SHA-256 is the one recorded under name; ValueError saying what is wrong."""
    if name not in sums:
        raise ValueError(f"{path} has no recorded SHA-256")
    if not path.is_file():
        raise ValueError(f"{path} is missing")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ValueError(f"{path} cannot be read ({e.strerror})") from None
    if hashlib.sha256(data).hexdigest() != sums[name]:
        raise ValueError(f"{path} does not match the SHA-256 recorded for it (truncated, edited or from another "
                         "training run)")
    return data


def open_session(weights_dir: Path, spec: Spec, part: str) -> "ort.InferenceSession":
    """An InferenceSession of spec's ONNX file for part, checked against the registry."""
    path = weights_dir / spec.onnx[part]
    try:
        data = checked(path, recorded_sums(weights_dir), path.name)
    except ValueError as e:
        raise ModelFileError(f"{e}: rewrite it with `{spec.rebuild}`") from None
    try:
        session = ort.InferenceSession(data, options(), providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own exception types for a file it cannot parse
        reason = str(e).splitlines()[0][:160] if str(e) else type(e).__name__
        raise ModelFileError(f"{path} is not a readable ONNX file ({reason}): "
                             f"rewrite it with `{spec.rebuild}`") from None
    check_signature(session, spec, part, path)
    return session


class Model:
    """One model's ONNX sessions with encode and decode on numpy arrays (float32)."""

    def __init__(self, weights_dir: Path, spec: Spec):
        self.spec = spec
        self.sessions = {part: open_session(weights_dir, spec, part) for part in spec.onnx}

    def run(self, part: str, x: np.ndarray) -> list[np.ndarray]:
        session = self.sessions[part]
        return session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(x, dtype=np.float32)})

    def encode(self, x: np.ndarray) -> np.ndarray:
        """Codes (B, k) of images (B, 1, 28, 28) in [0, 1]."""
        return self.run("encoder", x)[0]

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Images (B, 1, 28, 28) in [0, 1] of codes (B, k)."""
        return self.run("decoder", z)[0]

    def judge(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The judge's features (B, 128) and logits (B, 10) of images (B, 1, 28, 28)."""
        features, logits = self.run("judge", x)
        return features, logits
