"""MNIST from the committed IDX files: offline, checksummed once, read with torchvision's readers."""
import gzip
import hashlib
import os
from pathlib import Path
from typing import NamedTuple

import torch

from ae.config import DATA_DIR

# MD5 and size of each *uncompressed* file, as published with the original MNIST release
FILES = {
    "train-images-idx3-ubyte": ("6bbc9ace898e44ae57da46a324031adb", 47040016),
    "train-labels-idx1-ubyte": ("a25bea736e30d166cdddb491f175f624", 60008),
    "t10k-images-idx3-ubyte": ("2646ac647ad5339dbf082846283269ea", 7840016),
    "t10k-labels-idx1-ubyte": ("27ae3e4e09519cfbb04c329615203637", 10008),
}
FIX = "restore it with `git checkout -- data/MNIST/raw` (data/README.md lists the checksums)"


class DataError(RuntimeError):
    """A missing or corrupt MNIST file; the message says which file and how to fix it."""


class Mnist(NamedTuple):
    train_images: torch.Tensor  # (60000, 28, 28) uint8
    train_labels: torch.Tensor  # (60000,) int64
    test_images: torch.Tensor  # (10000, 28, 28) uint8
    test_labels: torch.Tensor  # (10000,) int64


def extract(raw: Path, name: str) -> Path:
    """Decompress raw/name.gz beside itself on first use, checking the MD5 of the content."""
    md5, size = FILES[name]
    out = raw / name
    if out.is_file() and out.stat().st_size == size:
        return out  # its MD5 was checked when it was written
    gz = raw / f"{name}.gz"
    if not gz.is_file():
        raise DataError(f"MNIST file {gz} is missing: {FIX}")
    try:
        content = gzip.decompress(gz.read_bytes())
    except (OSError, EOFError) as e:
        raise DataError(f"MNIST file {gz} is not a readable gzip file ({e}): {FIX}") from None
    if hashlib.md5(content).hexdigest() != md5:
        raise DataError(f"MNIST file {gz} does not hold the original {name} (MD5 mismatch): {FIX}")
    tmp = out.with_name(f".{name}.{os.getpid()}.tmp")  # atomic: parallel loaders never see half a file
    tmp.write_bytes(content)
    tmp.replace(out)
    return out


def load_mnist(root: Path = DATA_DIR) -> Mnist:
    """Load the four MNIST files under root/MNIST/raw as uint8 images and int64 labels."""
    from torchvision.datasets.mnist import read_image_file, read_label_file  # not at import: the app never loads MNIST

    raw = Path(root) / "MNIST" / "raw"
    paths = {name: extract(raw, name) for name in FILES}
    return Mnist(
        read_image_file(str(paths["train-images-idx3-ubyte"])),
        read_label_file(str(paths["train-labels-idx1-ubyte"])),
        read_image_file(str(paths["t10k-images-idx3-ubyte"])),
        read_label_file(str(paths["t10k-labels-idx1-ubyte"])),
    )


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (N, 28, 28) to the model's input (N, 1, 28, 28) in [0, 1]."""
    return images.unsqueeze(1).float().div_(255.0)
