"""Ways to draw new codes for the decoder, from ignoring the training codes to a mixture fitted to them."""
import torch

STRATEGIES = {
    "normal": "standard normal N(0, I), ignoring the codes",
    "uniform": "uniform in the slider box",
    "diag": "Gaussian per dimension, fitted to the codes",
    "full": "Gaussian with full covariance, fitted to the codes",
    "gmm": "mixture of 10 full Gaussians, fitted to the codes",
}


def slider_box(codes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The app's slider range per dimension of codes (N, k): 1st..99th percentile, widened by 10% each side."""
    q = torch.quantile(codes.double(), torch.tensor([0.01, 0.99], dtype=torch.float64), dim=0)  # (2, k)
    pad = 0.1 * (q[1] - q[0])
    return (q[0] - pad).to(codes.dtype), (q[1] + pad).to(codes.dtype)


def fit_samplers(codes: torch.Tensor, *, seed: int, components: int = 10) -> dict[str, torch.Tensor]:
    """Fit every strategy's parameters to codes (N, k); returns named tensors, ready for ae.store.save_tensors."""
    from sklearn.mixture import GaussianMixture  # fitting happens in train.py only: the app never imports sklearn

    c = codes.double()
    cov = torch.cov(c.T)  # (k, k)
    lo, hi = slider_box(codes)
    gmm = GaussianMixture(components, covariance_type="full", random_state=seed).fit(c.numpy())
    params = {
        "box_lo": lo, "box_hi": hi,  # (k,)
        "mean": c.mean(dim=0),  # (k,)
        "std": cov.diagonal().sqrt(),  # (k,)
        "chol": torch.linalg.cholesky(cov),  # (k, k), lower: chol @ chol.T = cov
        "gmm_weights": torch.from_numpy(gmm.weights_),  # (C,)
        "gmm_means": torch.from_numpy(gmm.means_),  # (C, k)
        "gmm_chols": torch.linalg.cholesky(torch.from_numpy(gmm.covariances_)),  # (C, k, k)
    }
    # contiguous like a loaded file (LAPACK hands back column-major factors), so samples match bit for bit after a save
    return {name: t.to(codes.dtype).contiguous() for name, t in params.items()}


def sample_latents(strategy: str, k: int, params: dict[str, torch.Tensor], generator: torch.Generator) -> torch.Tensor:
    """k codes (k, d) drawn with one of STRATEGIES from parameters made by fit_samplers."""
    mean = params["mean"]
    d = len(mean)
    if strategy == "normal":
        return torch.randn(k, d, generator=generator, dtype=mean.dtype)
    if strategy == "uniform":
        lo, hi = params["box_lo"], params["box_hi"]
        return lo + (hi - lo) * torch.rand(k, d, generator=generator, dtype=mean.dtype)
    if strategy == "diag":
        return mean + params["std"] * torch.randn(k, d, generator=generator, dtype=mean.dtype)
    if strategy == "full":
        return mean + torch.randn(k, d, generator=generator, dtype=mean.dtype) @ params["chol"].T
    if strategy == "gmm":
        comp = torch.multinomial(params["gmm_weights"], k, replacement=True, generator=generator)  # (k,)
        eps = torch.randn(k, d, 1, generator=generator, dtype=mean.dtype)
        return params["gmm_means"][comp] + (params["gmm_chols"][comp] @ eps).squeeze(-1)  # mean + L @ eps
    raise ValueError(f"unknown sampling strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
