"""Small pictures of the latent space for the page: slider histograms' counts and the 2-D latent map."""
import io

import numpy as np
from PIL import Image, ImageDraw

# ten colours that stay apart for most colour vision (Tableau 10), one per digit
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]


def rebin(edges: list[float], counts: list[int], lo: float, hi: float, bins: int = 40) -> list[int]:
    """Counts of a histogram over its own edges, re-binned onto [lo, hi] (what the slider spans)."""
    e = np.asarray(edges, dtype=np.float32)  # float32 as the statistics were computed, so bins fall alike
    centres = (e[:-1] + e[1:]) / 2
    inside = (centres >= lo) & (centres <= hi)
    idx = np.clip(((centres[inside] - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1)
    return np.bincount(idx, weights=np.asarray(counts)[inside], minlength=bins).astype(np.int64).tolist()


def map_extent(xy: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) holding 99% of the points xy (N, 2), padded so samples just outside still show."""
    q = np.quantile(xy, [0.005, 0.995], axis=0)  # (2, 2)
    lo, hi = q[0] - 0.25 * (q[1] - q[0]), q[1] + 0.25 * (q[1] - q[0])  # (2,) each: x, y
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def to_pixels(xy: np.ndarray, extent: tuple[float, float, float, float], size: int) -> np.ndarray:
    """Map coordinates (M, 2) to pixel positions (M, 2) in a size x size picture (y up), clipped to its edge."""
    x0, x1, y0, y1 = extent
    px = (xy[:, 0] - x0) / (x1 - x0) * (size - 1)
    py = (1 - (xy[:, 1] - y0) / (y1 - y0)) * (size - 1)
    return np.clip(np.stack([px, py], axis=1), 0, size - 1)


def scatter_png(xy: np.ndarray, labels: np.ndarray, extent: tuple[float, float, float, float], *,
                size: int = 320) -> bytes:
    """The data's points (N, 2) coloured by digit (N,), as PNG bytes: drawn once, the page marks codes over it."""
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    for (x, y), d in zip(to_pixels(xy, extent, size).tolist(), labels.tolist()):
        draw.ellipse((x - 1.2, y - 1.2, x + 1.2, y + 1.2), fill=PALETTE[d])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


DASHES = {"solid": ("", "●"), "dashed": (' stroke-dasharray="5,4"', "- -"),
          "dotted": (' stroke-dasharray="1.5,3"', "···")}


def curves_svg(measured: dict, *, width: int = 320, font: int = 12) -> str:
    """benchmarks/bottleneck.py's figures as an SVG: test MSE against code size (AE, PCA, VAE), and for codes drawn from
    N(0, I) the precision and recall of their images among real digits and the share of codes off the data (AE, VAE).
    Code sizes on a log scale.

    The two panels are stacked and the figure is narrow, so that shown at a phone's width (about 300 px) its text
    stays at its own size (font px, at least 11 on screen) instead of shrinking with a wide figure."""
    import math

    sizes = sorted({r["d"] for r in measured["pca"]})
    series = [  # (panel, label, colour, line style, points)
        (0, "autoencoder", PALETTE[0], "solid", [(r["d"], r["test_mse"]) for r in measured["ae"]]),
        (0, "PCA", PALETTE[9], "dashed", [(r["d"], r["test_mse"]) for r in measured["pca"]]),
        (0, "VAE", PALETTE[1], "solid", [(r["d"], r["test_mse"]) for r in measured["vae"]]),
    ]
    for label, style, key in (("precision", "solid", "normal_precision"), ("recall", "dotted", "normal_recall"),
                              ("off the data", "dashed", "normal_off")):  # a legend row each: the AE's, then the VAE's
        series += [(1, f"{name}: {label}", colour, style, [(r["d"], r[key]) for r in measured[model]])
                   for model, colour, name in (("ae", PALETTE[0], "AE"), ("vae", PALETTE[1], "VAE"))]
    highest = max(y for p, *_, pts in series if p == 0 for _, y in pts)
    top = [math.ceil(highest * 100) / 100, 1.0]  # MSE up to the next 0.01; shares up to 100%
    line = round(font * 1.35)  # one line of text
    left, right, upper, ph = 4 * font, font, 2 * line, 9 * line  # margins, and each plot's height
    pw = width - left - right
    rows = [sum(1 for p, *_ in series if p == k) for k in (0, 1)]  # legend entries under each panel, one a row
    below = [upper + ph + 2.5 * line + line * n for n in rows]  # each panel's height: title, plot, axis, legend
    height = round(sum(below))
    lx, hx = math.log2(sizes[0]), math.log2(sizes[-1])

    def at(panel: int, d: float, y: float) -> tuple[float, float]:
        y0 = upper + sum(below[:panel])
        return left + (math.log2(d) - lx) / (hx - lx) * pw, y0 + ph * (1 - y / top[panel])

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" font-family="sans-serif" '
           f'font-size="{font}"><rect width="{width}" height="{height}" fill="white"/>']
    for k, (title, fmt) in enumerate((("test MSE per pixel", "{:.3f}"), ("codes drawn from N(0, I)", "{:.0%}"))):
        y0 = upper + sum(below[:k])
        out.append(f'<text x="{left}" y="{y0 - line * 0.6:.1f}" font-weight="bold">{title}</text>')
        out.append(f'<path d="M{left},{y0}V{y0 + ph}H{left + pw}" fill="none" stroke="#444"/>')
        for f in (0, 0.5, 1):
            _, y = at(k, sizes[0], f * top[k])
            out.append(f'<text x="{left - 4}" y="{y + font / 3:.1f}" text-anchor="end">{fmt.format(f * top[k])}</text>')
        for d in sizes:
            x, _ = at(k, d, 0)
            out.append(f'<text x="{x:.1f}" y="{y0 + ph + line}" text-anchor="middle">{d}</text>')
        out.append(f'<text x="{left + pw / 2}" y="{y0 + ph + 2 * line}" text-anchor="middle">'
                   'numbers in the code</text>')
    entries = [0, 0]  # legend entries so far per panel, one to a row under it
    for panel, label, colour, style, pts in series:
        xy = [at(panel, d, y) for d, y in pts]
        dash, mark = DASHES[style]
        if len(xy) > 1:
            path = "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in xy]
        ly = upper + sum(below[:panel]) + ph + 3.2 * line + line * entries[panel]
        out.append(f'<text x="{left}" y="{ly:.1f}" fill="{colour}">{mark} {label}</text>')
        entries[panel] += 1
    return "".join(out) + "</svg>\n"
