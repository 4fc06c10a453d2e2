"""Digits as a person draws them with a mouse, not MNIST: stroke templates per digit, at random size, place, slant
and wobble, as strokes of points in fractions of the canvas ((0, 0) top left, (1, 1) bottom right)."""
import math
from dataclasses import dataclass

import numpy as np

Stroke = list[tuple[float, float]]


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float, n: int = 24) -> Stroke:
    """Points on an ellipse from angle start to end (degrees, 0 = right, 90 = down: screen coordinates)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, n)]


def line(*points: tuple[float, float]) -> Stroke:
    return list(points)


def figure_eight(n: int = 64) -> Stroke:
    """One stroke from the top: down the right of the upper loop, across, round the lower loop, back up the left."""
    ts = np.linspace(0, 1, n)
    return [(0.5 + 0.3 * math.sin(4 * math.pi * t) * (1.15 if 0.25 < t < 0.75 else 0.9),
             0.5 - 0.5 * math.cos(2 * math.pi * t))
            for t in ts]


# Each digit's ways of being drawn, in a unit box (x right, y down, height 1); each way is a list of strokes.
TEMPLATES: dict[int, list[list[Stroke]]] = {
    0: [[arc(0.5, 0.5, 0.32, 0.5, -90, 275)], [arc(0.5, 0.5, 0.3, 0.5, -80, -450)]],
    1: [[line((0.5, 0.0), (0.5, 1.0))], [line((0.3, 0.2), (0.55, 0.0), (0.55, 1.0))]],
    2: [[arc(0.5, 0.28, 0.33, 0.28, 200, 370) + line((0.75, 0.45), (0.12, 1.0), (0.9, 1.0))]],
    3: [[arc(0.47, 0.25, 0.33, 0.25, 200, 450) + arc(0.47, 0.74, 0.36, 0.26, -90, 160)]],
    4: [[line((0.62, 0.0), (0.08, 0.66), (0.92, 0.66)), line((0.66, 0.3), (0.66, 1.0))],
        [line((0.15, 0.0), (0.12, 0.55), (0.88, 0.55)), line((0.75, 0.0), (0.75, 1.0))]],
    5: [[line((0.85, 0.0), (0.25, 0.0), (0.2, 0.45)) + arc(0.48, 0.68, 0.36, 0.32, -120, 150)],
        [line((0.25, 0.0), (0.2, 0.45)) + arc(0.48, 0.68, 0.36, 0.32, -120, 150), line((0.25, 0.0), (0.85, 0.0))]],
    6: [[arc(0.9, 0.55, 0.55, 0.55, -115, -180, 10) + arc(0.5, 0.7, 0.35, 0.3, 180, 540)]],
    7: [[line((0.1, 0.0), (0.9, 0.0), (0.4, 1.0))],
        [line((0.1, 0.0), (0.9, 0.0), (0.4, 1.0)), line((0.35, 0.5), (0.8, 0.5))]],
    8: [[figure_eight()]],
    9: [[arc(0.48, 0.3, 0.32, 0.3, -10, -370) + line((0.8, 0.3), (0.75, 1.0))]],
}


@dataclass(frozen=True)
class DrawnDigit:
    digit: int
    strokes: list[Stroke]  # in fractions of the canvas
    height: float  # the drawing's height as a fraction of the canvas's


def densify(stroke: Stroke, step: float) -> Stroke:
    """Points every `step` along the polyline, as a mouse reports them on the way."""
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
    return out


def draw_digit(digit: int, rng: np.random.Generator, *, height: float | None = None) -> DrawnDigit:
    """One drawing of digit: a random template at a random height (15% to 90% of the canvas), width, slant, place
    and wobble."""
    strokes = TEMPLATES[digit][rng.integers(len(TEMPLATES[digit]))]
    h = rng.uniform(0.15, 0.9) if height is None else height
    slant = rng.uniform(-0.3, 0.15)  # x shifts by slant * (height above the bottom): most people lean right
    w = min(h * rng.uniform(0.55, 0.85), 0.94 - abs(slant) * h)  # width of the unit box on the canvas
    wobble = rng.normal(0, 1, size=(2, 3))  # a smooth hand: low-frequency bends, not noise at every point
    x0 = rng.uniform(0.03 + max(0.0, -slant) * h, 0.97 - w - max(0.0, slant) * h)
    y0 = rng.uniform(0.03, 0.97 - h)

    def place(p: tuple[float, float]) -> tuple[float, float]:
        u, v = p
        du = 0.025 * sum(wobble[0, k] * math.sin((k + 1) * math.pi * v + k) for k in range(3))
        dv = 0.025 * sum(wobble[1, k] * math.sin((k + 1) * math.pi * u + k) for k in range(3))
        return (min(max(x0 + (u + du) * w + slant * (1 - v) * h, 0.0), 1.0), min(max(y0 + (v + dv) * h, 0.0), 1.0))

    drawn = [[place(p) for p in densify(s, 0.06)] for s in strokes]
    ys = [y for s in drawn for _, y in s]
    return DrawnDigit(digit, drawn, max(ys) - min(ys))


def drawn_digits(n: int, seed: int) -> list[DrawnDigit]:
    """n drawings, digits 0-9 in turn, reproducible from seed."""
    rng = np.random.default_rng(seed)
    return [draw_digit(i % 10, rng) for i in range(n)]


# Drawings that are not digits, in the same unit box: a letter, a smiley, a scribble...
NOT_DIGITS: dict[str, list[Stroke]] = {
    "smiley": [arc(0.5, 0.5, 0.4, 0.4, 0, 360, 40), arc(0.35, 0.38, 0.03, 0.03, 0, 360, 8),
               arc(0.65, 0.38, 0.03, 0.03, 0, 360, 8), arc(0.5, 0.55, 0.22, 0.18, 20, 160, 16)],
    "star": [line((0.5, 0.05), (0.62, 0.9), (0.1, 0.35), (0.9, 0.35), (0.38, 0.9), (0.5, 0.05))],
    "hash": [line((0.35, 0.1), (0.3, 0.9)), line((0.65, 0.1), (0.6, 0.9)), line((0.1, 0.35), (0.9, 0.35)),
             line((0.1, 0.65), (0.9, 0.65))],
    "scribble": [[(0.1 + 0.8 * ((i * 0.37) % 1), 0.1 + 0.8 * ((i * 0.61) % 1)) for i in range(40)]],
    "A": [line((0.1, 0.95), (0.5, 0.05), (0.9, 0.95)), line((0.28, 0.6), (0.72, 0.6))],
    "W": [line((0.05, 0.1), (0.25, 0.9), (0.5, 0.35), (0.75, 0.9), (0.95, 0.1))],
    "M": [line((0.1, 0.9), (0.15, 0.1), (0.5, 0.6), (0.85, 0.1), (0.9, 0.9))],
    "K": [line((0.2, 0.05), (0.2, 0.95)), line((0.8, 0.05), (0.2, 0.55), (0.8, 0.95))],
    "X": [line((0.1, 0.1), (0.9, 0.9)), line((0.9, 0.1), (0.1, 0.9))],
    "E": [line((0.8, 0.05), (0.2, 0.05), (0.2, 0.95), (0.8, 0.95)), line((0.2, 0.5), (0.7, 0.5))],
    "house": [line((0.1, 0.95), (0.1, 0.45), (0.5, 0.05), (0.9, 0.45), (0.9, 0.95), (0.1, 0.95))],
    "spiral": [[(0.5 + 0.4 * a / (6 * math.pi) * math.cos(a), 0.5 + 0.4 * a / (6 * math.pi) * math.sin(a))
                for a in np.linspace(0, 6 * math.pi, 80)]],
}
