"""What each number does (the strips under the sliders, ui/sweep.js): each strip is torch's decoding of its number
swept along its track with the others held at the slider code; a slider redraws the other strips and not its own;
where the models run on the server, the strips say why they are not drawn."""
import numpy as np
import torch
from playwright.sync_api import Page

from ae.export import load_exported
from ae.registry import MODELS
from recording import open_app, wait_quiet
from test_network import draw_seven

STEPS = 7  # ui/sweep.js STEPS
# every strip's codes and images once each is decoded for the sliders' code as it is now
READ_STRIPS = """() => {
  const z = [...document.querySelectorAll(".z input[type=range]")].map((r) => parseFloat(r.value));
  const strips = [...document.querySelectorAll(".z .sweep")];
  const done = strips.every((s, i) => s.codes && z.every((v, k) => k === i || Math.abs(s.codes[k] - v) < 1e-5));
  return done ? strips.map((s) => ({ codes: Array.from(s.codes), values: Array.from(s.values) })) : null;
}"""


def strips(page: Page) -> list[dict]:
    page.wait_for_function(f"({READ_STRIPS})() !== null", timeout=10_000)
    return page.evaluate(READ_STRIPS)


def track(page: Page, i: int) -> tuple[float, float, float]:
    """Slider i's value, min and max."""
    sel = f"#z{i} input[type=range]"
    return (float(page.input_value(sel)), *(float(page.get_attribute(sel, k)) for k in ("min", "max")))


def torch_decode(codes: np.ndarray) -> np.ndarray:
    model = load_exported(MODELS["ae"])
    with torch.no_grad():
        return model.decode(torch.from_numpy(codes)).numpy()


def test_each_strip_is_torchs_decoding_of_its_number_swept_along_its_track(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    shown = strips(page)
    sliders = [track(page, i) for i in range(10)]
    z = np.array([v for v, _, _ in sliders], dtype=np.float32)
    assert len(shown) == 10
    for i, (strip, (_, lo, hi)) in enumerate(zip(shown, sliders)):
        codes = np.tile(z, (STEPS, 1))
        codes[:, i] = lo + (np.arange(STEPS) + 0.5) / STEPS * (hi - lo)  # the middles of the track's sevenths
        assert np.abs(np.array(strip["codes"]).reshape(STEPS, 10) - codes).max() <= 1e-5, i
        got = np.array(strip["values"], dtype=np.float32).reshape(STEPS, 1, 28, 28)
        assert np.abs(got - torch_decode(codes)).max() <= 1e-4, i
        assert got.std(axis=0).max() > 0.05, f"z{i}'s strip shows one image {STEPS} times"


def test_a_slider_redraws_the_other_strips_and_not_its_own(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    before = strips(page)
    value, lo, hi = track(page, 3)
    page.focus("#z3 input[type=range]")
    for _ in range(3):
        page.keyboard.press("PageDown" if value > (lo + hi) / 2 else "PageUp")
    wait_quiet(page, 300)
    after = strips(page)
    assert after[3] == before[3], "z3's own strip changed: it holds every number but z3"
    for i in set(range(10)) - {3}:
        assert after[i]["codes"] != before[i]["codes"] and after[i]["values"] != before[i]["values"], i


def test_where_the_models_run_on_the_server_the_strips_say_why_they_are_not_drawn(page, app_url):
    open_app(page, app_url + "?models=server")
    page.wait_for_function("document.querySelector('.ae-sweep-note').textContent.includes('not drawn')")
    assert "the server runs them" in page.text_content(".ae-sweep-note")
    assert page.locator(".z .sweep:visible").count() == 0
    assert page.locator("#decoded:not(.empty)").count() == 1, "the sliders' own decode stopped"
