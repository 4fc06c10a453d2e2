"""Tensors to pictures: crisp upscaled digits and the ten-over-ten reconstruction figure."""
import base64
import io

import numpy as np
import torch
from PIL import Image


def to_pil(x: torch.Tensor, *, scale: int = 1) -> Image.Image:
    """One image (1, H, W) or (H, W) in [0, 1] to a greyscale PIL image, upscaled with crisp pixels."""
    a = (x.detach().squeeze().clamp(0, 1) * 255).round().to(torch.uint8).cpu().numpy()
    img = Image.fromarray(np.ascontiguousarray(a), mode="L")
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def grid(x: torch.Tensor, *, nrow: int, scale: int = 1, padding: int = 2) -> Image.Image:
    """Images (B, 1, 28, 28) in [0, 1] as one grid picture, nrow per row, grey gutters between cells."""
    from torchvision.utils import make_grid  # not at import: torchvision costs the app 160 MB it never uses

    g = make_grid(x.clamp(0, 1), nrow=nrow, padding=padding, pad_value=0.3)  # (3, H, W)
    return to_pil(g[0], scale=scale)


def reconstruction_figure(originals: torch.Tensor, recons: torch.Tensor, *, scale: int = 4) -> Image.Image:
    """The seed's figure: originals (10, 1, 28, 28) on the top row, their reconstructions below."""
    return grid(torch.cat([originals, recons]), nrow=len(originals), scale=scale)


def to_data_uri(x: torch.Tensor) -> str:
    """One image (1, H, W) in [0, 1] as a PNG data URI: a few hundred bytes, no file, no cache, no race."""
    buf = io.BytesIO()
    to_pil(x).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
