"""Digits drawn with the mouse in the real page, at every size, come back as the digit drawn."""
import numpy as np

from drawing import draw_digit, judged
from drawn_digits import draw_digit as make_digit, drawn_digits

SMALL = 0.3  # of the canvas's height: a third of the canvas or less is how many people draw


def test_drawn_digits_of_every_size_come_back_as_themselves(app_page):
    rng = np.random.default_rng(11)
    digits = drawn_digits(50, seed=5) + [make_digit(i % 10, rng, height=rng.uniform(0.15, SMALL)) for i in range(25)]
    recons = [draw_digit(app_page, d) for d in digits]
    right = judged(recons) == [d.digit for d in digits]
    small = np.array([d.height < SMALL for d in digits])
    print(f"judged right: {right.mean():.1%} of {len(digits)}, {right[small].mean():.1%} of {small.sum()} small ones")
    assert right.mean() >= 0.9 and right[small].mean() >= 0.85, (right.mean(), right[small].mean())
