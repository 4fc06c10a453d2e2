"""Every handler of app.py, called directly: no server, no browser."""
import base64
import json

import gradio as gr
import pytest
import torch

import app
from ae.canvas import parse_payload
from ae.data import to_float


def payload_of(image: torch.Tensor) -> str:
    """A canvas payload holding a uint8 image (H, W), as the page would send it."""
    from ae.canvas import encode_payload
    return encode_payload(image.numpy())


def test_drawing_a_digit_fills_every_pane_and_the_sliders(mnist):
    out = app.on_draw(payload_of(mnist.test_images[0]))
    seen, recon, decoded, code, *sliders = out
    assert all("data:image/png;base64," in h for h in (seen, recon, decoded))
    assert "MSE" in recon and len(code) == 10 and len(sliders) == 10
    x = to_float(mnist.test_images[:1])
    z = app.A.model.encode(x)[0]
    assert torch.allclose(torch.tensor(code), z, atol=0.05)  # re-prepared MNIST digit: nearly the same code
    assert all(lo <= s <= hi for s, lo, hi in zip(sliders, app.A.lo.tolist(), app.A.hi.tolist()))


def test_an_empty_canvas_is_nothing_to_reconstruct():
    seen, recon, decoded, code, *sliders = app.on_draw("")
    assert "nothing to reconstruct" in seen and code is None
    blank = json.dumps({"w": 8, "h": 8, "ink": base64.b64encode(bytes(64)).decode(), "seq": 1, "final": True})
    assert parse_payload(blank) is not None and app.on_draw(blank)[3] is None


def test_a_broken_payload_is_a_clear_error():
    with pytest.raises(gr.Error, match="Could not read the drawing: payload is not valid JSON"):
        app.on_draw("{nope")


def test_sliders_drive_the_decoder():
    mid = ((app.A.lo + app.A.hi) / 2).tolist()
    a = app.on_slide(*mid)
    mid[3] = app.A.hi[3].item()
    assert app.on_slide(*mid) != a


def test_reset_puts_the_sliders_on_the_drawing_code():
    code = app.on_draw(payload_of(app.A.examples[2]))[3]
    decoded, *sliders = app.on_reset(code)
    assert sliders == pytest.approx(code, abs=1e-6) or any(s in (lo, hi) for s, lo, hi in zip(
        sliders, app.A.lo.tolist(), app.A.hi.tolist()))
    with pytest.raises(gr.Error, match="no code to go back to"):
        app.on_reset(None)


def test_clicking_an_example_puts_it_on_the_canvas():
    payload = app.on_example(gr.SelectData(None, {"index": 7, "value": None}))
    assert (parse_payload(payload) == app.A.examples[7].numpy()).all()


def test_api_round_trip(mnist):
    image = to_float(mnist.test_images[:1])[0, 0].tolist()
    code = app.api_encode(image)
    assert len(code) == 10
    box = torch.maximum(torch.minimum(torch.tensor(code), app.A.hi), app.A.lo).tolist()
    decoded = torch.tensor(app.api_decode(box))
    assert decoded.shape == (28, 28) and 0 <= decoded.min() and decoded.max() <= 1
    recon = torch.tensor(app.api_reconstruct(image))
    assert torch.mean((recon - torch.tensor(image)) ** 2) < 0.05


@pytest.mark.parametrize("fn, arg, message", [
    (app.api_decode, [0.0] * 3, "must have 10 numbers"),
    (app.api_decode, [float("nan")] * 10, "must be finite"),
    (app.api_decode, [1e9] * 10, "outside its range"),
    (app.api_encode, [[0.5] * 5], "28x28"),
    (app.api_reconstruct, [[-1.0] * 28] * 28, r"lie in \[0, 1\]"),
])
def test_api_answers_bad_input_with_a_message(fn, arg, message):
    with pytest.raises(gr.Error, match=message):
        fn(arg)
