"""Small pictures of the latent space for the page: slider histograms and the 2-D latent map."""
import base64
import io

import torch
from PIL import Image, ImageDraw

# ten colours that stay apart for most colour vision (Tableau 10), one per digit
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def histogram_svg(counts: list[int], *, width: int = 200, height: int = 24, colour: str = "#9aa5b1") -> str:
    """A histogram as a compact SVG data URI, to lie behind a slider's track."""
    peak = max(max(counts), 1)
    bar = width / len(counts)
    bars = "".join(f'<rect x="{i * bar:.2f}" y="{height * (1 - c / peak):.2f}" width="{bar:.2f}" height="{height * c / peak:.2f}"/>'
                   for i, c in enumerate(counts) if c)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none">'
           f'<g fill="{colour}">{bars}</g></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


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


def scatter_png(xy: torch.Tensor, labels: torch.Tensor, extent: tuple[float, float, float, float], *, size: int = 320) -> str:
    """The data's points (N, 2) coloured by digit (N,), as a PNG data URI: drawn once, reused under every overlay."""
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    for (x, y), d in zip(to_pixels(xy, extent, size).tolist(), labels.tolist()):
        draw.ellipse((x - 1.2, y - 1.2, x + 1.2, y + 1.2), fill=PALETTE[d])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
