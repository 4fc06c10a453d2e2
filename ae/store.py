"""Tensors on disk as safetensors (never pickle), with a kind tag and a checksum in the metadata."""
import hashlib
import json
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

FIX = "run `python train.py` (see README.md) or restore it with `git checkout -- weights`"


class WeightsError(RuntimeError):
    """A missing, corrupt or mismatched weights file; the message says what and how to fix it."""


def digest(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 over names, shapes, dtypes and bytes, so any edited byte is caught on load."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        h.update(f"{name}{tuple(t.shape)}{t.dtype}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def save_tensors(path: Path, tensors: dict[str, torch.Tensor], kind: str, facts: dict | None = None) -> None:
    """Write tensors with metadata {kind, facts as JSON, sha256}; atomic, so readers never see half a file."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    meta = {"kind": kind, "facts": json.dumps(facts or {}), "sha256": digest(tensors)}
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    save_file(tensors, str(tmp), metadata=meta)
    tmp.replace(path)


def load_tensors(path: Path, kind: str) -> tuple[dict[str, torch.Tensor], dict]:
    """Read a file written by save_tensors, checking its kind and checksum; returns (tensors, facts)."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path} is missing: {FIX}")
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise WeightsError(f"{path} is not a readable safetensors file ({reason}): {FIX}") from None
    if meta.get("kind") != kind:
        found = meta.get("kind", "no kind tag")
        raise WeightsError(f"{path} holds {found}, not {kind}: pass a {kind} file or {FIX}")
    if meta.get("sha256") != digest(tensors):
        raise WeightsError(f"{path} fails its checksum (truncated or edited): {FIX}")
    return tensors, json.loads(meta.get("facts", "{}"))
