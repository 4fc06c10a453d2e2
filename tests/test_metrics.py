"""Precision, recall, density, coverage, realism and calibration error against brute force and known cases."""
import numpy as np
import pytest
from scipy.spatial.distance import cdist

from ae.metrics import (density_coverage, distance_chunks, expected_calibration_error, knn_radii, precision_recall,
                        real_set, realism_reference, realism_scores, sample_metrics, verdicts)


def brute_radii(x: np.ndarray, k: int) -> np.ndarray:
    return np.array([sorted(row)[k] for row in cdist(x, x)])  # sorted(row)[0] is the point itself


def brute_precision_recall(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    r_real, r_fake = brute_radii(real, k), brute_radii(fake, k)
    precision = np.mean([any(np.linalg.norm(f - r) <= rr for r, rr in zip(real, r_real)) for f in fake])
    recall = np.mean([any(np.linalg.norm(r - f) <= rf for f, rf in zip(fake, r_fake)) for r in real])
    return precision, recall


def brute_density_coverage(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    radii = brute_radii(real, k)
    inside = [[np.linalg.norm(f - r) <= rr for r, rr in zip(real, radii)] for f in fake]  # (M, N)
    density = sum(map(sum, inside)) / (k * len(fake))
    coverage = np.mean([any(row[i] for row in inside) for i in range(len(real))])
    return density, coverage


@pytest.fixture
def sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(120, 8))
    fake = rng.normal(size=(90, 8)) * 1.3 + 0.4  # overlapping but not the same
    return real, fake


def test_distance_chunks_match_cdist(sets):
    real, fake = sets
    blocks = np.concatenate([d for _, d in distance_chunks(fake, real, chunk=7)])
    assert blocks.shape == (90, 120)
    np.testing.assert_allclose(blocks, cdist(fake, real), atol=1e-9)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_knn_radii_match_brute_force(sets, k):
    np.testing.assert_allclose(knn_radii(sets[0], k), brute_radii(sets[0], k), atol=1e-9)


def test_precision_recall_match_brute_force(sets):
    real, fake = sets
    got, want = precision_recall(real, fake, k=3), brute_precision_recall(real, fake, 3)
    assert got == pytest.approx(want)
    assert 0.05 < got[0] < 0.95 and 0.05 < got[1] < 1  # a case where neither is trivially 0 or 1


def test_density_coverage_match_brute_force(sets):
    real, fake = sets
    assert density_coverage(real, fake, k=5) == pytest.approx(brute_density_coverage(real, fake, 5))


def test_real_against_real_is_near_one():
    rng = np.random.default_rng(1)
    real, other = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))  # two samples of the same distribution
    m = sample_metrics(real_set(real), other)
    assert m["precision"] > 0.6 and m["recall"] > 0.6 and m["coverage"] > 0.9 and 0.8 < m["density"] < 1.2, m
    assert m["realistic_share"] > 0.4, m  # against half the balls: the smaller ones


def test_a_set_far_off_is_near_zero():
    rng = np.random.default_rng(2)
    real, off = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16)) + 6.0
    m = sample_metrics(real_set(real), off)
    assert m == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0, "realistic_share": 0.0}


def test_sample_metrics_agree_with_the_single_metrics(sets):
    real, fake = sets
    m = sample_metrics(real_set(real), fake)
    assert (m["precision"], m["recall"]) == pytest.approx(precision_recall(real, fake))
    assert (m["density"], m["coverage"]) == pytest.approx(density_coverage(real, fake))
    assert m["realistic_share"] == pytest.approx(np.mean(realism_scores(fake, *realism_reference(real)) >= 1))


def test_a_sampler_of_one_mode_is_precise_without_recall():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(10, 16)) * 8  # ten well-separated clusters
    real = (centres[:, None] + rng.normal(size=(10, 200, 16))).reshape(-1, 16)
    ones = centres[0] + rng.normal(size=(2000, 16))  # every sample from the first cluster alone
    precision, recall = precision_recall(real, ones)
    assert precision > 0.7 and recall < 0.15


def test_realism_reference_keeps_the_smaller_half(sets):
    real = sets[0]
    feats, radii = realism_reference(real, k=3)
    full = brute_radii(real, 3)
    assert len(feats) == len(real) // 2 and radii.max() <= np.median(full) + 1e-9
    for f, r in zip(feats, radii):  # each kept row is a real row with its own radius
        i = int(np.argmin(np.linalg.norm(real - f, axis=1)))
        assert np.allclose(real[i], f) and r == pytest.approx(full[i])


def test_realism_scores_match_brute_force(sets):
    real, fake = sets
    feats, radii = realism_reference(real)
    want = [max(r / np.linalg.norm(f - x) for x, r in zip(feats, radii)) for f in fake]
    np.testing.assert_allclose(realism_scores(fake, feats, radii), want, rtol=1e-9)


def test_verdicts_say_real_only_inside_a_ball():
    ref, radii = np.array([[0.0, 0.0], [10.0, 0.0]]), np.array([1.0, 2.0])
    feats = np.array([[0.5, 0.0], [10.0, 1.9], [5.0, 5.0]])
    probs = np.array([[0.1] + [0.9 / 9] * 9, np.eye(10)[3] * 0.97 + 0.003, np.eye(10)[7]])
    got = verdicts(feats, probs, ref, radii)
    assert [v["real"] for v in got] == [True, True, False]
    assert [v["digit"] for v in got] == [0, 3, 7]
    assert got[1]["confidence"] == pytest.approx(0.973) and got[0]["realism"] == pytest.approx(2.0)


def test_expected_calibration_error_by_hand():
    # two bins used: (0.6, 0.6667] holds two at 0.65 with one right; (0.9333, 1] holds two at 0.95, both right
    probs = np.array([[0.65, 0.35], [0.65, 0.35], [0.95, 0.05], [0.95, 0.05]])
    labels = np.array([0, 1, 0, 0])
    want = 0.5 * abs(0.5 - 0.65) + 0.5 * abs(1.0 - 0.95)
    assert expected_calibration_error(probs, labels) == pytest.approx(want)
    assert expected_calibration_error(np.eye(3), np.arange(3)) == 0.0  # sure and right: calibrated
