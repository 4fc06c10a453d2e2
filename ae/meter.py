"""The off-manifold meter: how far a code is from the nearest training code, against what real test digits show."""
import math
from dataclasses import dataclass

import numpy as np

# The meter compares a code with every 6th training code (10,000), rounded to float16: 200 KB a model, small enough
# for the page to download and search itself; the server searches the very same numbers, so both agree.
METER_STRIDE = 6
WARN_PERCENTILE = 99.0  # the meter warns when a code is farther from the data than 99% of real test digits


@dataclass(frozen=True)
class Reading:
    """What the meter says of one code."""
    distance: float  # to the nearest training code the meter holds
    digit: int  # that code's digit
    percentile: float  # share of real test digits' codes that lie at most this far from theirs, 0 to 100
    typical: float  # the test digits' median distance
    warn: bool  # beyond WARN_PERCENTILE: no training digit has a code like this


def nearest(codes_ref: np.ndarray, z: np.ndarray, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean distance (M,) from each of z (M, k) to its nearest row of codes_ref (N, k), and that row's index (M,).

    float64 throughout: |r - z|^2 = |r|^2 - 2 r.z + |z|^2 loses small distances in float32.
    """
    ref = np.asarray(codes_ref, dtype=np.float64)
    sq = (ref * ref).sum(axis=1)  # (N,)
    dist, index = [], []
    for i in range(0, len(z), batch_size):  # a (batch, N) distance matrix at a time bounds memory
        zb = np.asarray(z[i:i + batch_size], dtype=np.float64)  # (B, k)
        d2 = sq[None, :] - 2 * zb @ ref.T + (zb * zb).sum(axis=1, keepdims=True)  # (B, N)
        best = d2.argmin(axis=1)
        index.append(best)
        dist.append(np.sqrt(np.maximum(d2[np.arange(len(zb)), best], 0.0)))
    return np.concatenate(dist).astype(np.asarray(z).dtype), np.concatenate(index)


def nearest_one(codes_ref: np.ndarray, sq_norms: np.ndarray, z: np.ndarray) -> tuple[float, int]:
    """Distance from one code z (k,) to its nearest row of codes_ref (N, k) float64, given the rows' squared norms (N,).

    The live meter runs this on every slider step: one matrix-vector product over the rows.
    """
    z = np.asarray(z, dtype=np.float64)
    d2 = sq_norms - 2 * (codes_ref @ z)  # (N,) |r|^2 - 2 r.z
    i = int(d2.argmin())
    return math.sqrt(max(float(d2[i]) + float(z @ z), 0.0)), i


def meter_codes(train_codes: np.ndarray) -> np.ndarray:
    """The training codes (N, k) the meter compares with: every METER_STRIDE-th, as float16 (N / 6, k)."""
    return np.asarray(train_codes)[::METER_STRIDE].astype(np.float16)


def meter_reference(codes_ref: np.ndarray, test_codes: np.ndarray) -> np.ndarray:
    """Each test code's distance to its nearest row of codes_ref (N_test,), sorted: the meter's scale of 'normal'."""
    return np.sort(nearest(codes_ref, np.asarray(test_codes, dtype=np.float32))[0])


def distance_percentile(d: float, reference_sorted: np.ndarray) -> float:
    """Percent (0 to 100) of the reference distances that are at most d: 99 means farther than almost any real digit."""
    return 100.0 * int(np.searchsorted(reference_sorted, d, side="right")) / len(reference_sorted)
