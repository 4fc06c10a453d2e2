"""PCA with the same 10-number bottleneck: the linear baseline, with encode/decode like the models."""
import torch
from torch import nn

from ae.config import IMAGE_SIZE, LATENT_DIM


class PCA(nn.Module):
    """x (B, 1, 28, 28) -> z (B, k) coefficients on the top-k principal axes -> x_hat (B, 1, 28, 28)."""

    def __init__(self, *, latent_dim: int = LATENT_DIM):
        super().__init__()
        self.latent_dim = latent_dim
        self.register_buffer("mean", torch.zeros(IMAGE_SIZE * IMAGE_SIZE))  # (784,)
        self.register_buffer("components", torch.zeros(latent_dim, IMAGE_SIZE * IMAGE_SIZE))  # (k, 784)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return (x.flatten(1) - self.mean) @ self.components.T  # (B, k)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return (z @ self.components + self.mean).view(-1, 1, IMAGE_SIZE, IMAGE_SIZE)  # (B, 1, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


@torch.no_grad()
def fit_pca(x: torch.Tensor, *, latent_dim: int = LATENT_DIM) -> PCA:
    """Fit the top principal axes of images x (N, 1, 28, 28) by an eigendecomposition of their covariance."""
    flat = x.flatten(1).double()  # (N, 784)
    mean = flat.mean(0)
    centred = flat - mean
    cov = centred.T @ centred / (len(flat) - 1)  # (784, 784)
    _, vectors = torch.linalg.eigh(cov)  # ascending eigenvalues
    pca = PCA(latent_dim=latent_dim)
    pca.mean.copy_(mean.float())
    pca.components.copy_(vectors[:, -latent_dim:].flip(1).T.float())  # largest first
    return pca.eval()
