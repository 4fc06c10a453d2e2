"""Where things live and the numbers the server and the page share: one place for both.

The page receives LIMITS in its spaces.json, so a limit is never written twice.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"  # torchvision's layout: DATA_DIR / "MNIST" / "raw" / <idx files>
# everything train.py writes and the app reads; AE_WEIGHTS points the app at another folder (tests, experiments)
WEIGHTS_DIR = Path(os.environ.get("AE_WEIGHTS", ROOT / "weights"))

LATENT_DIM = 10  # the bottleneck: ten numbers per image
IMAGE_SIZE = 28  # MNIST images are 28x28, white ink (1.0) on black (0.0)
MEAN_PIXEL, STD_PIXEL = 0.1307, 0.3081  # of the 60,000 training images in [0, 1] (data/README.md)

SURE = 0.9  # the judge is sure of an image when its top probability is at least this
FRAMES = 9  # images on an interpolation path, both ends included
# a digit has a few strokes of a few hundred points (the page drops points < 1 px apart)
MAX_STROKES, MAX_POINTS = 200, 2000
MAX_COORD = 10_000.0  # points are canvas pixels; anything larger is not a drawing: an extent of at most 20,000
MAX_CODE = 1000.0  # codes of the data lie within about 20 of 0; this far out the decoder is still finite
REPLAY_DIGITS = 2000  # the first test digits, whose codes a recorded training run keeps: the replay's planes
LIMITS = {"sure": SURE, "frames": FRAMES, "max_strokes": MAX_STROKES, "max_points": MAX_POINTS, "max_code": MAX_CODE}
