"""Drawing generated digits (tests/drawn_digits.py) with the mouse in the real page, and judging what comes back."""
import numpy as np
import torch
from playwright.sync_api import Page

from ae.config import WEIGHTS_DIR
from ae.model import load_model
from drawn_digits import DrawnDigit
from recording import shown, wait_quiet

CANVAS = "#canvas .ae-draw"


def draw_digit(page: Page, digit: DrawnDigit) -> np.ndarray:
    """Clear the canvas, draw digit's strokes with the mouse, wait for the page to settle; the reconstruction (28,
    28)."""
    page.click("#canvas .ae-clear")
    box = page.locator(CANVAS).bounding_box()
    for stroke in digit.strokes:
        xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in stroke]
        page.mouse.move(*xy[0])
        page.mouse.down()
        for p in xy[1:]:
            page.mouse.move(*p)
        page.mouse.up()
    wait_quiet(page, 250)
    return shown(page, "#reconstruction")


def judged(images: list[np.ndarray]) -> np.ndarray:
    """The digit the project's judge sees in each image (28, 28)."""
    judge, _ = load_model(WEIGHTS_DIR / "classifier.safetensors", "Classifier")
    with torch.no_grad():
        return judge(torch.from_numpy(np.stack(images)).float()[:, None]).argmax(1).numpy()
