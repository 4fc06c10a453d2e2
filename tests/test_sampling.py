"""Sampling strategies on synthetic codes from a known Gaussian mixture, so no trained model is needed."""
import numpy as np
import pytest
import torch
from sklearn.mixture import GaussianMixture

from ae.sampling import STRATEGIES, fit_samplers, sample_latents, slider_box
from ae.store import load_tensors, save_tensors

WEIGHTS = np.array([0.5, 0.3, 0.2])


def draw(strategy: str, k: int, params: dict, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(sample_latents(strategy, k, params, np.random.default_rng(seed)))


@pytest.fixture(scope="module")
def mixture() -> tuple[torch.Tensor, np.ndarray]:
    """20,000 correlated 10-d codes from three well-separated Gaussians, and the three true means."""
    rng = np.random.default_rng(0)
    means = rng.normal(scale=4.0, size=(3, 10))
    chols = np.stack([np.tril(rng.normal(scale=0.4, size=(10, 10)), -1) + np.diag(rng.uniform(0.5, 1.5, 10))
                      for _ in range(3)])  # (3, 10, 10) lower triangular: correlated dimensions
    comp = rng.choice(3, size=20_000, p=WEIGHTS)
    z = means[comp] + np.einsum("nij,nj->ni", chols[comp], rng.normal(size=(20_000, 10)))
    return torch.from_numpy(z).float(), means


@pytest.fixture(scope="module")
def codes(mixture) -> torch.Tensor:
    return mixture[0]


@pytest.fixture(scope="module")
def params(codes) -> dict[str, np.ndarray]:
    return fit_samplers(codes, seed=0)


def test_strategies_have_labels():
    assert set(STRATEGIES) == {"normal", "uniform", "diag", "full", "gmm"}
    assert all(isinstance(label, str) and label for label in STRATEGIES.values())


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_shape_and_determinism(strategy, params):
    a, b, c = (draw(strategy, 500, params, seed=0), draw(strategy, 500, params, seed=0),
               draw(strategy, 500, params, seed=1))
    assert a.shape == (500, 10) and a.dtype == torch.float32 and torch.isfinite(a).all()
    assert torch.equal(a, b)
    assert not torch.allclose(a, c)


def test_unknown_strategy_is_a_clear_error(params):
    with pytest.raises(ValueError, match="unknown sampling strategy 'vae'.*normal, uniform, diag, full, gmm"):
        draw("vae", 5, params)


def test_params_are_named_tensors_that_survive_the_store(params, tmp_path):
    assert all(isinstance(t, np.ndarray) and t.dtype == np.float32 for t in params.values())
    save_tensors(tmp_path / "samplers.safetensors", params, kind="Samplers")
    loaded, _ = load_tensors(tmp_path / "samplers.safetensors", "Samplers")
    for strategy in STRATEGIES:
        assert torch.equal(draw(strategy, 100, loaded), draw(strategy, 100, params))


def test_fitted_parameters_match_numpy_and_sklearn(codes, params):
    z = codes.double().numpy()
    np.testing.assert_allclose(params["mean"], z.mean(0), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(params["std"], z.std(0, ddof=1), rtol=1e-5)
    chol = torch.from_numpy(params["chol"]).double()
    np.testing.assert_allclose(chol @ chol.T, np.cov(z, rowvar=False), rtol=1e-4, atol=1e-4)
    assert torch.equal(chol, chol.tril())
    gmm = GaussianMixture(10, covariance_type="full", random_state=0).fit(z)
    chols = torch.from_numpy(params["gmm_chols"]).double()
    assert params["gmm_weights"].sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(params["gmm_weights"], gmm.weights_, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(params["gmm_means"], gmm.means_, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(chols @ chols.transpose(1, 2), gmm.covariances_, rtol=1e-4, atol=1e-4)


def test_normal_is_standard(params):
    z = draw("normal", 40_000, params).double()
    assert z.mean(0).abs().max() < 0.03
    assert (torch.cov(z.T) - torch.eye(10, dtype=torch.float64)).abs().max() < 0.03


def test_slider_box_matches_numpy_percentiles(codes):
    lo, hi = slider_box(codes)
    p1, p99 = np.percentile(codes.double().numpy(), [1, 99], axis=0)
    np.testing.assert_allclose(lo, p1 - 0.1 * (p99 - p1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hi, p99 + 0.1 * (p99 - p1), rtol=1e-5, atol=1e-5)


def test_uniform_fills_the_slider_box(params):
    z = draw("uniform", 40_000, params)
    lo, hi = torch.from_numpy(params["box_lo"]), torch.from_numpy(params["box_hi"])
    assert ((z >= lo) & (z <= hi)).all()
    width = hi - lo
    assert ((z.min(0).values - lo) / width).max() < 0.01 and ((hi - z.max(0).values) / width).max() < 0.01
    assert ((z.var(0) - width**2 / 12) / (width**2 / 12)).abs().max() < 0.05  # the variance of a uniform


@pytest.mark.parametrize("strategy", ["diag", "full", "gmm"])
def test_fitted_samplers_reproduce_mean_and_covariance(strategy, codes, params):
    z = draw(strategy, 40_000, params).double()
    c = codes.double()
    std = c.std(0)
    assert ((z.mean(0) - c.mean(0)) / std).abs().max() < 0.03
    cov_z, cov_c = torch.cov(z.T), torch.cov(c.T)
    if strategy == "diag":  # right variances, but the correlations are lost on purpose
        assert ((cov_z.diagonal() - cov_c.diagonal()) / cov_c.diagonal()).abs().max() < 0.05
        off = ~torch.eye(10, dtype=torch.bool)
        assert (cov_z[off] / torch.outer(std, std)[off]).abs().max() < 0.03
        assert (cov_c[off] / torch.outer(std, std)[off]).abs().max() > 0.3  # the synthetic codes are correlated
    else:
        assert torch.linalg.norm(cov_z - cov_c) / torch.linalg.norm(cov_c) < 0.05


def test_only_the_mixture_keeps_the_clusters(mixture, params):
    codes, means = mixture
    means = torch.from_numpy(means)

    def nearest_mean(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        best = torch.cdist(z.double(), means).min(dim=1)
        return best.values, best.indices

    dist, cluster = nearest_mean(codes)
    radius = dist.quantile(0.99)  # 99% of real codes lie this close to their cluster centre
    gmm, full = draw("gmm", 40_000, params), draw("full", 40_000, params)
    gmm_dist, gmm_cluster = nearest_mean(gmm)
    full_dist, _ = nearest_mean(full)
    shares = torch.bincount(gmm_cluster, minlength=3).double() / len(gmm_cluster)
    np.testing.assert_allclose(shares, WEIGHTS, atol=0.02)
    assert (gmm_dist > radius).double().mean() < 0.02
    assert (full_dist > radius).double().mean() > 0.2  # one Gaussian puts much of its mass between the clusters
    for c in range(3):  # each cluster's shape too, not just the overall spread that the cluster means dominate
        cov_gmm, cov_real = torch.cov(gmm[gmm_cluster == c].double().T), torch.cov(codes[cluster == c].double().T)
        assert torch.linalg.norm(cov_gmm - cov_real) / torch.linalg.norm(cov_real) < 0.08
