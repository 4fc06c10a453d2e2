"""The code sizes side by side and the 2-D planes, run in the page, against torch on the same inputs."""
import re

import numpy as np
import pytest
import torch
from playwright.sync_api import expect

from ae.export import load_exported
from ae.registry import SIZES, spec_for
from recording import shown

SLACK = 1 / 255 + 1e-4  # the page shows 8-bit pixels; its float16 weights give what torch gives with them rounded


def half_rounded(model: str, d: int) -> torch.nn.Module:
    """The shipped model as the page runs it: weights rounded to float16."""
    return load_exported(spec_for(model, d))


def test_every_code_size_reconstructs_the_drawing(app_page, mnist):
    page = app_page
    page.locator("#examples .ae-example").nth(3).click()
    expect(page.locator("#reconstruction figcaption")).to_contain_text("MSE")
    page.locator("#bottleneck").scroll_into_view_if_needed()
    errors = {}
    x = torch.from_numpy(mnist.test_images[int(np.flatnonzero(mnist.test_labels.numpy() == 3)[0])].numpy()
                         / 255).float()
    for d in (s.latent_dim for s in SIZES):
        expect(page.locator(f"#size-{d} figcaption")).to_contain_text("MSE", timeout=20_000)
        net = half_rounded("ae", d)
        with torch.no_grad():
            expected = net(x[None, None])[0, 0].numpy()
        assert np.abs(shown(page, f"#size-{d}") - expected).max() <= SLACK, f"code size {d}"
        errors[d] = float(re.search(r"MSE (\d\.\d+)", page.locator(f"#size-{d} figcaption").inner_text())[1])
    assert errors[32] < errors[10] < errors[2], errors
    expect(page.locator("#bottleneck .ae-curves img")).to_have_attribute("src", re.compile(r"bottleneck\.svg$"))


@pytest.mark.parametrize("model", ["ae", "vae"])
def test_pointing_at_a_plane_decodes_that_point(app_page, model):
    page = app_page
    page.locator("#planes").scroll_into_view_if_needed()  # the planes load as they come near the screen
    plane = page.locator(f"#planes .ae-plane:has(#plane-{model}) .map")
    plane.scroll_into_view_if_needed()
    box = plane.bounding_box()
    page.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.6 * box["height"])
    page.mouse.move(box["x"] + 0.55 * box["width"], box["y"] + 0.45 * box["height"])
    caption = page.locator(f"#plane-{model} figcaption")
    expect(caption).to_have_text(re.compile(r"^\(-?\d+\.\d\d, -?\d+\.\d\d\)$"))
    page.wait_for_timeout(300)
    z = torch.tensor([[float(v) for v in re.findall(r"-?\d+\.\d\d", caption.inner_text())]])
    with torch.no_grad():
        expected = half_rounded(model, 2).decode(z)[0, 0].numpy()
    # the caption rounds the code to 0.01; the decoder moves little over that
    assert np.abs(shown(page, f"#plane-{model}") - expected).max() <= 0.05
    assert page.locator(f"#planes .ae-plane:has(#plane-{model}) path.sample").count() == 12
