import gzip
import shutil

import pytest
import torch

from ae.data import FILES, DataError, load_mnist, to_float


def test_shapes_and_label_counts(mnist):
    assert mnist.train_images.shape == (60000, 28, 28) and mnist.train_images.dtype == torch.uint8
    assert mnist.test_images.shape == (10000, 28, 28)
    assert torch.bincount(mnist.train_labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert torch.bincount(mnist.test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_pixel_statistics_match_the_published_ones(mnist):
    x = to_float(mnist.train_images)
    assert x.shape == (60000, 1, 28, 28)
    assert abs(x.mean().item() - 0.1307) < 1e-4 and abs(x.std().item() - 0.3081) < 1e-4


def copy_raw(tmp_path, skip: str = ""):
    """A private copy of the .gz files (not the extracted ones), so each test extracts afresh."""
    from ae.config import DATA_DIR
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in FILES:
        if name != skip:
            shutil.copy(DATA_DIR / "MNIST" / "raw" / f"{name}.gz", raw)
    return raw


def test_fresh_extraction_verifies_checksums(tmp_path):
    raw = copy_raw(tmp_path)
    data = load_mnist(tmp_path)
    assert len(data.test_labels) == 10000
    assert all((raw / name).stat().st_size == size for name, (_, size) in FILES.items())


def test_missing_file_names_the_file_and_the_fix(tmp_path):
    copy_raw(tmp_path, skip="t10k-labels-idx1-ubyte")
    with pytest.raises(DataError) as e:
        load_mnist(tmp_path)
    msg = str(e.value)
    assert "t10k-labels-idx1-ubyte.gz is missing" in msg and "git checkout" in msg and "\n" not in msg


def test_tampered_file_fails_its_checksum(tmp_path):
    raw = copy_raw(tmp_path)
    gz = raw / "train-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(gz.read_bytes()))
    content[100] = (content[100] + 1) % 10  # one label changed: still a valid IDX file
    gz.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DataError, match="MD5 mismatch"):
        load_mnist(tmp_path)


def test_truncated_gzip_is_reported(tmp_path):
    raw = copy_raw(tmp_path)
    gz = raw / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:1000])
    with pytest.raises(DataError, match="not a readable gzip file"):
        load_mnist(tmp_path)
