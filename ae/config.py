"""Where things live: one place for the paths and sizes the package, the app and train.py share."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"  # torchvision's layout: DATA_DIR / "MNIST" / "raw" / <idx files>
# everything train.py writes and the app reads; AE_WEIGHTS points the app at another folder (tests, experiments)
WEIGHTS_DIR = Path(os.environ.get("AE_WEIGHTS", ROOT / "weights"))

LATENT_DIM = 10  # the bottleneck: ten numbers per image
CODE_SIZES = (2, 4, 10, 16, 32)  # the autoencoders shipped to compare bottlenecks (the VAE at 2 and 10)
IMAGE_SIZE = 28  # MNIST images are 28x28, white ink (1.0) on black (0.0)
MEAN_PIXEL, STD_PIXEL = 0.1307, 0.3081  # of the 60,000 training images in [0, 1] (data/README.md)


def model_stem(model: str, latent_dim: int) -> str:
    """weights/<stem>.safetensors: "ae" and "vae" for the app's ten-number codes, "ae_d2" and so on for other sizes."""
    return model if latent_dim == LATENT_DIM else f"{model}_d{latent_dim}"
