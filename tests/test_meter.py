"""The off-manifold meter against brute force and scipy's percentile of a score."""
import numpy as np
import pytest
import scipy.stats
import torch

from ae.meter import METER_STRIDE, distance_percentile, meter_codes, meter_reference, nearest, nearest_one


def test_nearest_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    ref = torch.randn(2000, 10, generator=g) * 3
    z = torch.cat([torch.randn(297, 10, generator=g) * 3, ref[[5, 1234, 1999]]])  # 300 rows: two batches of 256
    dist, index = nearest(ref.numpy(), z.numpy())
    brute = ((z[:, None, :].double() - ref[None, :, :].double()) ** 2).sum(-1).sqrt()  # (300, 2000)
    assert dist.shape == (300,) and index.shape == (300,) and dist.dtype == np.float32
    assert np.array_equal(index, brute.argmin(dim=1).numpy())
    np.testing.assert_allclose(dist.astype(np.float64), brute.min(dim=1).values.numpy(), rtol=1e-6, atol=1e-6)
    assert index[-3:].tolist() == [5, 1234, 1999] and np.abs(dist[-3:]).max() < 1e-5  # codes already in ref: distance 0


def test_one_code_gives_what_a_batch_gives():
    g = torch.Generator().manual_seed(2)
    ref, z = torch.randn(3000, 10, generator=g).double() * 3, torch.randn(40, 10, generator=g) * 3
    ref, z = ref.numpy(), z.numpy()
    sq = (ref * ref).sum(axis=1)
    dist, index = nearest(ref, z)
    for i in range(len(z)):  # the one-code search, one row at a time
        d1, i1 = nearest_one(ref, sq, z[i])
        assert i1 == index[i] and d1 == pytest.approx(float(dist[i]), rel=1e-6, abs=1e-6)
    d0, i0 = nearest_one(ref, sq, ref[7].astype(np.float32))
    assert i0 == 7 and d0 < 1e-3  # a code in ref is (up to its float32 copy) at distance 0


def test_meter_reference_is_the_sorted_nearest_distances():
    g = torch.Generator().manual_seed(1)
    train, test = torch.randn(1500, 10, generator=g).numpy(), torch.randn(400, 10, generator=g).numpy()
    reference = meter_reference(train, test)
    assert reference.shape == (400,)
    assert np.array_equal(reference, np.sort(nearest(train, test)[0]))
    assert (reference[1:] >= reference[:-1]).all()


def test_distance_percentile_matches_scipy_and_is_monotone():
    reference = np.sort(np.array([0.5, 1.0, 1.0, 2.0, 4.0], dtype=np.float32))
    for d in [0.0, 0.5, 0.9, 1.0, 3.0, 4.0, 9.0]:
        expected = scipy.stats.percentileofscore(reference, d, kind="weak")  # percent of values <= d
        assert distance_percentile(d, reference) == pytest.approx(expected)
    grid = np.linspace(-1, 6, 200)
    percents = [distance_percentile(float(d), reference) for d in grid]
    assert percents[0] == 0.0 and percents[-1] == 100.0
    assert all(a <= b for a, b in zip(percents, percents[1:]))


def test_the_meter_searches_every_sixth_training_code_in_float16():
    codes = torch.randn(600, 10, generator=torch.Generator().manual_seed(3)) * 4
    ref = meter_codes(codes.numpy())
    assert ref.shape == (100, 10) and ref.dtype == np.float16
    assert np.array_equal(ref, codes[::METER_STRIDE].half().numpy()) and METER_STRIDE == 6
