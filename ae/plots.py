"""Small pictures of the latent space for the page: slider histograms' counts and the 2-D latent map."""
import io

import torch
from PIL import Image, ImageDraw

# ten colours that stay apart for most colour vision (Tableau 10), one per digit
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def rebin(edges: list[float], counts: list[int], lo: float, hi: float, bins: int = 40) -> list[int]:
    """Counts of a histogram over its own edges, re-binned onto [lo, hi] (what the slider spans)."""
    e = torch.tensor(edges)
    centres = (e[:-1] + e[1:]) / 2
    inside = (centres >= lo) & (centres <= hi)
    idx = ((centres[inside] - lo) / (hi - lo) * bins).long().clamp(0, bins - 1)
    return torch.zeros(bins, dtype=torch.long).index_add_(0, idx, torch.tensor(counts)[inside]).tolist()


def map_extent(xy: torch.Tensor) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) holding 99% of the points xy (N, 2), padded so samples just outside still show."""
    q = torch.quantile(xy, torch.tensor([0.005, 0.995]), dim=0)  # (2, 2)
    lo, hi = q[0] - 0.25 * (q[1] - q[0]), q[1] + 0.25 * (q[1] - q[0])  # (2,) each: x, y
    return lo[0].item(), hi[0].item(), lo[1].item(), hi[1].item()


def to_pixels(xy: torch.Tensor, extent: tuple[float, float, float, float], size: int) -> torch.Tensor:
    """Map coordinates (M, 2) to pixel positions (M, 2) in a size x size picture (y up), clipped to its edge."""
    x0, x1, y0, y1 = extent
    px = (xy[:, 0] - x0) / (x1 - x0) * (size - 1)
    py = (1 - (xy[:, 1] - y0) / (y1 - y0)) * (size - 1)
    return torch.stack([px, py], dim=1).clamp(0, size - 1)


def scatter_png(xy: torch.Tensor, labels: torch.Tensor, extent: tuple[float, float, float, float], *, size: int = 320) -> bytes:
    """The data's points (N, 2) coloured by digit (N,), as PNG bytes: drawn once, the page marks codes over it."""
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    for (x, y), d in zip(to_pixels(xy, extent, size).tolist(), labels.tolist()):
        draw.ellipse((x - 1.2, y - 1.2, x + 1.2, y + 1.2), fill=PALETTE[d])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
