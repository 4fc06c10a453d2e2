"""Arrays to pictures: crisp upscaled digits and the ten-over-ten reconstruction figure."""
import base64
import io

import numpy as np
from PIL import Image


def to_pil(x: np.ndarray, *, scale: int = 1) -> Image.Image:
    """One image (1, H, W) or (H, W) in [0, 1] to a greyscale PIL image, upscaled with crisp pixels."""
    a = np.round(np.clip(np.squeeze(np.asarray(x, dtype=np.float32)), 0, 1) * 255).astype(np.uint8)
    img = Image.fromarray(np.ascontiguousarray(a), mode="L")
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def reconstruction_figure(originals, recons, *, scale: int = 4) -> Image.Image:
    """The seed's figure: originals (10, 1, 28, 28) torch tensors on the top row, their reconstructions below."""
    import torch  # training only, like torchvision: the app never draws this figure
    from torchvision.utils import make_grid

    x = torch.cat([originals, recons]).clamp(0, 1)
    g = make_grid(x, nrow=len(originals), padding=2, pad_value=0.3)  # (3, H, W)
    return to_pil(g[0].numpy(), scale=scale)


def to_data_uri(x: np.ndarray) -> str:
    """One image (1, H, W) in [0, 1] as a PNG data URI: a few hundred bytes, no file, no cache, no race."""
    buf = io.BytesIO()
    to_pil(x).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
