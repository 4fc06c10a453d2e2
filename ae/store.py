"""Tensors on disk as safetensors (never pickle), with a kind tag and a checksum in the metadata; numpy only, so the
server reads them without torch (training code hands in torch tensors, which are converted on the way)."""
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

FIX = "run `python train.py` (see README.md) or restore it with `git checkout -- weights`"
# the checksum hashes each tensor's dtype by its torch name, as the files were first written: keep it stable
DTYPE_NAMES = {"float16": "torch.float16", "float32": "torch.float32", "float64": "torch.float64",
               "uint8": "torch.uint8", "int32": "torch.int32", "int64": "torch.int64", "bool": "torch.bool"}


class WeightsError(RuntimeError):
    """A missing, corrupt or mismatched weights file; the message says what and how to fix it."""


def to_array(t: Any) -> np.ndarray:
    """A numpy array, or a torch tensor (anything with .numpy(force=True)) as one, C-contiguous."""
    return np.ascontiguousarray(t.numpy(force=True) if hasattr(t, "numpy") else t)


def digest(tensors: dict[str, np.ndarray]) -> str:
    """SHA-256 over names, shapes, dtypes and bytes, so any edited byte is caught on load."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        h.update(f"{name}{tuple(a.shape)}{DTYPE_NAMES[a.dtype.name]}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def save_tensors(path: Path, tensors: dict[str, Any], kind: str, facts: dict | None = None,
                 meta: dict[str, str] | None = None) -> None:
    """Write tensors with metadata {kind, facts as JSON, sha256, **meta}; atomic, so readers never see half a file."""
    arrays = {k: to_array(v) for k, v in tensors.items()}
    metadata = {"kind": kind, "facts": json.dumps(facts or {}), "sha256": digest(arrays), **(meta or {})}
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    save_file(arrays, str(tmp), metadata=metadata)
    tmp.replace(path)


def read_tensors(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every tensor of a file written by save_tensors and its raw metadata, its checksum checked."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path} is missing: {FIX}")
    try:
        with safe_open(str(path), framework="np") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise WeightsError(f"{path} is not a readable safetensors file ({reason}): {FIX}") from None
    try:
        intact = meta.get("sha256") == digest(tensors)
    except KeyError:  # a dtype no file of ours holds
        intact = False
    if not intact:
        raise WeightsError(f"{path} fails its checksum (truncated or edited): {FIX}")
    return tensors, meta


def load_tensors(path: Path, kind: str) -> tuple[dict[str, np.ndarray], dict]:
    """Read a file written by save_tensors, checking its kind and checksum; returns (tensors, facts)."""
    tensors, meta = read_tensors(path)
    if meta.get("kind") != kind:
        found = meta.get("kind", "no kind tag")
        raise WeightsError(f"{path} holds {found}, not {kind}: pass a {kind} file or {FIX}")
    try:
        facts = json.loads(meta.get("facts", "{}"))
    except ValueError:
        raise WeightsError(f"{path} has unreadable facts in its metadata: {FIX}") from None
    return tensors, facts
