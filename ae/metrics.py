"""Where samples fall among real digits in the judge's feature space, the way generative models are judged.

Improved precision and recall (Kynkaanniemi et al., 2019), density and coverage (Naeem et al., 2020), the
per-sample realism score, and the expected calibration error. Numpy only: the server calls these too.
Every function takes features (N, D) as numpy arrays; distances are computed in chunks of rows, so
10,000 x 10,000 distances never hold more than a block of CHUNK x N float64 numbers (40 MB at N = 10,000), and
at most a copy or a mask of it beside, at once.
"""
from typing import Iterator, NamedTuple

import numpy as np

CHUNK = 500  # rows of distances at a time
PR_K, DC_K = 3, 5  # the papers' neighbourhood sizes: precision and recall k = 3, density and coverage k = 5


def distance_chunks(a: np.ndarray, b: np.ndarray, *, chunk: int = CHUNK) -> Iterator[tuple[slice, np.ndarray]]:
    """Yield (rows, |a[rows] - b|) as (chunk, M) float64 blocks, for a (N, D) and b (M, D)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    b2 = (b * b).sum(axis=1)  # (M,)
    for start in range(0, len(a), chunk):
        rows = slice(start, start + chunk)
        block = a[rows]
        d = block @ b.T  # (chunk, M); in place from here on, so one block is all the memory a chunk takes
        d *= -2.0
        d += (block * block).sum(axis=1)[:, None]
        d += b2[None, :]
        np.maximum(d, 0.0, out=d)  # rounding can make |a - b|^2 slightly negative
        yield rows, np.sqrt(d, out=d)


def knn_radii(feats: np.ndarray, k: int) -> np.ndarray:
    """Distance (N,) from each row of feats (N, D) to its k-th nearest other row."""
    if not 1 <= k < len(feats):
        raise ValueError(f"k must lie between 1 and N - 1 = {len(feats) - 1}, got {k}")
    radii = np.empty(len(feats))
    for rows, d in distance_chunks(feats, feats):
        radii[rows] = np.partition(d, k, axis=1)[:, k]  # index 0 is the row itself, at distance 0
    return radii


def in_balls(points: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many balls (centres (M, D), radii (M,)) hold each point (N,), and whether each ball holds a point (M,)."""
    counts, hit = np.zeros(len(points), dtype=np.int64), np.zeros(len(centres), dtype=bool)
    for rows, d in distance_chunks(points, centres):
        inside = d <= radii[None, :]  # (chunk, M)
        counts[rows] = inside.sum(axis=1)
        hit |= inside.any(axis=0)
    return counts, hit


def precision_recall(real: np.ndarray, fake: np.ndarray, *, k: int = PR_K) -> tuple[float, float]:
    """Improved precision (share of fake inside some real k-NN ball) and recall (share of real inside some fake one)."""
    precision = (in_balls(fake, real, knn_radii(real, k))[0] > 0).mean()
    recall = (in_balls(real, fake, knn_radii(fake, k))[0] > 0).mean()
    return float(precision), float(recall)


def density_coverage(real: np.ndarray, fake: np.ndarray, *, k: int = DC_K) -> tuple[float, float]:
    """Density (real k-NN balls holding each fake, over k, averaged) and coverage (share of real balls holding a
    fake)."""
    counts, hit = in_balls(fake, real, knn_radii(real, k))
    return float(counts.sum() / (k * len(fake))), float(hit.mean())


def realism_reference(real: np.ndarray, *, k: int = PR_K,
                      radii: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The real features (N // 2, D) with the smaller half of k-NN radii, and those radii: outliers' huge balls
    dropped."""
    radii = knn_radii(real, k) if radii is None else radii
    keep = np.sort(np.argsort(radii, kind="stable")[:len(real) // 2])
    return np.asarray(real)[keep], radii[keep]


class RealSet(NamedTuple):
    """Real features and their k-NN radii, computed once and compared with many sets of samples."""
    features: np.ndarray  # (N, D)
    pr_radii: np.ndarray  # (N,) k = PR_K
    dc_radii: np.ndarray  # (N,) k = DC_K
    realism_features: np.ndarray  # (N // 2, D) the half with the smaller PR_K radii
    realism_radii: np.ndarray  # (N // 2,)


def real_set(real: np.ndarray) -> RealSet:
    """Everything the metrics need of the real features (N, D), for reuse across samplers."""
    real = np.asarray(real, dtype=np.float64)
    pr = knn_radii(real, PR_K)
    return RealSet(real, pr, knn_radii(real, DC_K), *realism_reference(real, radii=pr))


def sample_metrics(real: RealSet, fake: np.ndarray) -> dict:
    """Precision, recall (k = 3), density, coverage (k = 5) and the share with realism >= 1 of fake (M, D)."""
    precision = (in_balls(fake, real.features, real.pr_radii)[0] > 0).mean()
    recall = (in_balls(real.features, fake, knn_radii(fake, PR_K))[0] > 0).mean()
    counts, hit = in_balls(fake, real.features, real.dc_radii)
    realistic = realism_scores(fake, real.realism_features, real.realism_radii) >= 1.0
    return {"precision": float(precision), "recall": float(recall), "density": float(counts.sum() / (DC_K * len(fake))),
            "coverage": float(hit.mean()), "realistic_share": float(realistic.mean())}


def realism_scores(feats: np.ndarray, ref_feats: np.ndarray, ref_radii: np.ndarray) -> np.ndarray:
    """Realism score (B,): max over reference i of radius_i / |feat - ref_i|; at least 1 inside some ball."""
    scores = np.empty(len(feats))
    for rows, d in distance_chunks(feats, ref_feats):
        scores[rows] = (np.asarray(ref_radii, dtype=np.float64)[None, :] / np.maximum(d, 1e-12)).max(axis=1)
    return scores


def verdicts(feats: np.ndarray, probs: np.ndarray, ref_feats: np.ndarray, ref_radii: np.ndarray) -> list[dict]:
    """Per image: does it land among real digits (realism >= 1), the digit the judge sees and its confidence.

    feats (B, 128) are the judge's features, probs (B, 10) its calibrated class probabilities.
    """
    realism = realism_scores(feats, ref_feats, ref_radii)  # (B,)
    probs = np.asarray(probs, dtype=np.float64)
    digits, confidence = probs.argmax(axis=1), probs.max(axis=1)
    return [{"real": bool(r >= 1.0), "realism": float(r), "digit": int(d), "confidence": float(c)}
            for r, d, c in zip(realism, digits, confidence)]


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, *, bins: int = 15) -> float:
    """ECE: over equal-width bins of top-1 confidence, the size-weighted gap |accuracy - mean confidence|."""
    probs = np.asarray(probs, dtype=np.float64)
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == np.asarray(labels)
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)  # bin b holds (b / bins, (b + 1) / bins]
    ece = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            ece += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(ece)
