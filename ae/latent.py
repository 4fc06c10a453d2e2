"""The latent codes of a data set and what they look like, dimension by dimension."""
import torch
from torch import nn

from ae.data import to_float


@torch.no_grad()
def encode_all(model: nn.Module, images: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Codes (N, k) of uint8 images (N, 28, 28), in batches to bound memory."""
    return torch.cat([model.encode(to_float(images[i:i + batch_size])) for i in range(0, len(images), batch_size)])


def latent_stats(codes: torch.Tensor, *, bins: int = 40) -> list[dict]:
    """Per dimension of codes (N, k): mean, std, min, max, 1st/99th percentile and a histogram."""
    q = torch.quantile(codes.double(), torch.tensor([0.01, 0.99], dtype=torch.float64), dim=0)  # (2, k)
    stats = []
    for d in range(codes.shape[1]):
        c = codes[:, d]
        lo, hi = c.min().item(), c.max().item()
        stats.append({
            "mean": c.mean().item(), "std": c.std().item(), "min": lo, "max": hi,
            "p1": q[0, d].item(), "p99": q[1, d].item(),
            "hist_edges": torch.linspace(lo, hi, bins + 1).tolist(),
            "hist_counts": torch.histc(c, bins=bins, min=lo, max=hi).int().tolist(),
        })
    return stats
