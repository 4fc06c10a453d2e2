"""Ways to draw new codes for the decoder, from ignoring the training codes to a mixture fitted to them (numpy)."""
import numpy as np

from ae.store import to_array

STRATEGIES = {
    "normal": "standard normal N(0, I), ignoring the codes",
    "uniform": "uniform in the slider box",
    "diag": "Gaussian per dimension, fitted to the codes",
    "full": "Gaussian with full covariance, fitted to the codes",
    "gmm": "mixture of 10 full Gaussians, fitted to the codes",
}


def slider_box(codes) -> tuple[np.ndarray, np.ndarray]:
    """The app's slider range per dimension of codes (N, k): 1st..99th percentile, widened by 10% each side."""
    codes = to_array(codes)
    q = np.quantile(codes.astype(np.float64), [0.01, 0.99], axis=0)  # (2, k)
    pad = 0.1 * (q[1] - q[0])
    return (q[0] - pad).astype(codes.dtype), (q[1] + pad).astype(codes.dtype)


def fit_samplers(codes, *, seed: int, components: int = 10) -> dict[str, np.ndarray]:
    """Fit every strategy's parameters to codes (N, k), an array or a tensor; returns named arrays, ready for
    ae.store.save_tensors."""
    from sklearn.mixture import GaussianMixture  # fitting happens in train.py only: the app never imports sklearn

    codes = to_array(codes)
    c = codes.astype(np.float64)
    cov = np.cov(c.T)  # (k, k)
    lo, hi = slider_box(codes)
    gmm = GaussianMixture(components, covariance_type="full", random_state=seed).fit(c)
    params = {
        "box_lo": lo, "box_hi": hi,  # (k,)
        "mean": c.mean(axis=0),  # (k,)
        "std": np.sqrt(np.diagonal(cov)),  # (k,)
        "chol": np.linalg.cholesky(cov),  # (k, k), lower: chol @ chol.T = cov
        "gmm_weights": gmm.weights_,  # (C,)
        "gmm_means": gmm.means_,  # (C, k)
        "gmm_chols": np.linalg.cholesky(gmm.covariances_),  # (C, k, k)
    }
    return {name: np.ascontiguousarray(a, dtype=codes.dtype) for name, a in params.items()}


def sample_latents(strategy: str, k: int, params: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """k codes (k, d) drawn with one of STRATEGIES from parameters made by fit_samplers."""
    mean = params["mean"]
    d, dtype = len(mean), mean.dtype
    if strategy == "normal":
        return rng.standard_normal((k, d)).astype(dtype)
    if strategy == "uniform":
        lo, hi = params["box_lo"], params["box_hi"]
        return (lo + (hi - lo) * rng.random((k, d))).astype(dtype)
    if strategy == "diag":
        return (mean + params["std"] * rng.standard_normal((k, d))).astype(dtype)
    if strategy == "full":
        return (mean + rng.standard_normal((k, d)) @ params["chol"].T).astype(dtype)
    if strategy == "gmm":
        weights = params["gmm_weights"].astype(np.float64)
        comp = rng.choice(len(weights), size=k, p=weights / weights.sum())  # (k,)
        eps = rng.standard_normal((k, d, 1))
        return (params["gmm_means"][comp] + (params["gmm_chols"][comp] @ eps)[..., 0]).astype(dtype)  # mean + L @ eps
    raise ValueError(f"unknown sampling strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
