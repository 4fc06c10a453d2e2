"""The judge: a small MNIST classifier that scores generated digits, and the Frechet distance of its features."""
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ae.config import MEAN_PIXEL, STD_PIXEL
from ae.metrics import RealSet, sample_metrics


class Classifier(nn.Module):
    """x (B, 1, 28, 28) in [0, 1] -> features (B, 128) -> logits (B, 10)."""

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),  # (B, 32, 13, 13)
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),  # (B, 64, 5, 5)
            nn.Flatten(),  # (B, 1600)
            nn.Linear(1600, 128), nn.ReLU(),  # (B, 128)
        )
        self.head = nn.Linear(128, 10)
        # logits / temperature give calibrated probabilities; fitted after training, kept in facts
        self.temperature = 1.0

    def features(self, x: torch.Tensor) -> torch.Tensor:
        # centred inputs train faster (2 epochs on 20k images: 96.5% -> 97.5% test accuracy), callers still pass [0, 1]
        return self.body((x - MEAN_PIXEL) / STD_PIXEL)  # (B, 128), the layer the Frechet distance compares

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, 10)


def train_classifier(x: torch.Tensor, y: torch.Tensor, *, epochs: int, batch_size: int, lr: float, seed: int,
                     limit_batches: int | None = None) -> tuple[Classifier, list[dict]]:
    """Train a fresh Classifier on x (N, 1, 28, 28) in [0, 1] and labels y (N,); deterministic given seed."""
    from tqdm import tqdm  # training only: the app never imports tqdm

    with torch.random.fork_rng(devices=[]):  # seeded initialisation that leaves the caller's RNG alone
        torch.manual_seed(seed)
        model = Classifier()
    gen = torch.Generator().manual_seed(seed)
    starts = range(0, len(x), batch_size)[:limit_batches]  # limit_batches=None keeps every batch
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    # the learning rate falls linearly to zero: the last steps settle instead of bouncing around the minimum
    total_steps = max(epochs * len(starts), 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 1 - step / total_steps)
    history = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(x), generator=gen)
        total, seen = 0.0, 0
        bar = tqdm(starts, desc=f"judge epoch {epoch}/{epochs}", leave=False, mininterval=1.0)
        for i in bar:
            idx = order[i:i + batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total, seen = total + loss.item() * len(idx), seen + len(idx)
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        history.append({"epoch": epoch, "train_loss": total / seen})
    return model.eval(), history


@torch.no_grad()
def judge_all(model: Classifier, x: torch.Tensor, *, batch_size: int = 1000) -> tuple[torch.Tensor, torch.Tensor]:
    """Features (N, 128) and calibrated class probabilities (N, 10) of images x (N, 1, 28, 28), in batches."""
    feats = torch.cat([model.features(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
    return feats, (model.head(feats) / model.temperature).softmax(dim=1)


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The temperature T minimising the cross-entropy of logits (N, 10) / T against labels (N,) (Guo et al., 2017)."""
    import scipy.optimize  # training only: the app never imports scipy

    logits, labels = logits.double(), labels.long()

    def nll(log_t: float) -> float:
        return F.cross_entropy(logits / np.exp(log_t), labels).item()

    best = scipy.optimize.minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded",
                                          options={"xatol": 1e-5})
    return float(np.exp(best.x))


def predict(model: Classifier, x: torch.Tensor) -> torch.Tensor:
    """Class probabilities (N, 10) of images x (N, 1, 28, 28)."""
    return judge_all(model, x)[1]


def accuracy(model: Classifier, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of images x (N, 1, 28, 28) whose most probable class is their label y (N,)."""
    return (predict(model, x).argmax(dim=1) == y).float().mean().item()


def mean_cov(feats: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and unbiased covariance (D, D) of feats (N, D), in float64."""
    feats = feats.double()
    return feats.mean(dim=0), torch.cov(feats.T)


def feature_stats(model: Classifier, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (128,) and covariance (128, 128) of the judge's features of images x, in float64."""
    return mean_cov(judge_all(model, x)[0])


def frechet_distance(mu1: torch.Tensor, cov1: torch.Tensor, mu2: torch.Tensor, cov2: torch.Tensor,
                     *, eps: float = 1e-6) -> float:
    """|mu1 - mu2|^2 + tr(cov1 + cov2 - 2 (cov1 cov2)^1/2): the Frechet distance of two Gaussians, as in FID."""
    import scipy.linalg  # scoring happens in benchmarks only: the app never imports scipy

    mu1, cov1, mu2, cov2 = (np.asarray(t, dtype=np.float64) for t in (mu1, cov1, mu2, cov2))
    diff = mu1 - mu2
    with warnings.catch_warnings():  # singular products are common (dead features have zero variance)
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        covmean = scipy.linalg.sqrtm(cov1 @ cov2)
        if not np.isfinite(covmean).all():  # the FID reference's fix: nudge both covariances off singular
            offset = np.eye(len(cov1)) * eps
            covmean = scipy.linalg.sqrtm((cov1 + offset) @ (cov2 + offset))
    if np.iscomplexobj(covmean):
        # rounding can leave tiny imaginary parts; large ones mean the input was not two covariances
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f"matrix square root has imaginary part {np.abs(covmean.imag).max():.3g}")
        covmean = covmean.real
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(covmean))


def score_images(judge: Classifier, images: torch.Tensor, ref_mu: torch.Tensor, ref_cov: torch.Tensor,
                 real: RealSet | None = None) -> dict:
    """How digit-like images (N, 1, 28, 28) in [0, 1] look to the judge, and how far their features are from ref.

    With real (the reference's features and radii), also where they fall among them: precision, recall, density,
    coverage and the share with realism score >= 1 (ae.metrics.sample_metrics).
    """
    feats, probs = judge_all(judge, images)
    top = probs.max(dim=1)
    hist = torch.bincount(top.indices, minlength=10)  # (10,) how often each digit was seen
    share = hist.double() / len(images)
    nonzero = share[share > 0]  # 0 log 0 = 0
    mu, cov = mean_cov(feats)
    among = sample_metrics(real, feats.double().numpy()) if real is not None else {}
    return {**among,
        "confidence": top.values.mean().item(),  # mean top-1 probability
        "confident_share": (top.values >= 0.9).float().mean().item(),
        # 0.0 -: never -0.0  # up to log2(10) = 3.32: all digits alike
        "class_entropy_bits": 0.0 - (nonzero * nonzero.log2()).sum().item(),
        "class_histogram": hist.tolist(),
        "frechet": frechet_distance(mu, cov, ref_mu, ref_cov),
    }
