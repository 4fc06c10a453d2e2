"""Every handler of app.py, called directly: no server, no browser."""
import base64
import json

import gradio as gr
import pytest
import torch

import app
from ae.canvas import encode_payload, parse_payload
from ae.data import to_float

AE = app.S["ae"]


def payload_of(image: torch.Tensor) -> str:
    """A canvas payload holding a uint8 image (H, W), as the page would send it."""
    return encode_payload(image.numpy())


def test_drawing_a_digit_fills_every_pane_and_the_sliders(mnist):
    decoded, latent_map, x, compare, *sliders = app.on_draw(payload_of(mnist.test_images[0]), "ae", None)
    assert "<circle" in latent_map
    assert compare.count("<img") == 3 and compare.count("<figcaption>") == 3 and compare.count("MSE") == 6  # in alt and caption
    z = AE.model.encode(torch.tensor(x)[None, None])[0]
    box = torch.maximum(torch.minimum(z, AE.hi), AE.lo)
    assert sliders == pytest.approx(box.tolist(), abs=0.005 + 1e-6)  # on the sliders' 0.01 grid
    assert json.loads(decoded) == {"space": "ae", "z": pytest.approx(sliders)}  # the page decodes the sliders' code
    z_mnist = AE.model.encode(to_float(mnist.test_images[:1]))[0]
    assert torch.allclose(z, z_mnist, atol=0.5)  # an MNIST digit re-prepared gives nearly the same code


def test_sliders_follow_the_chosen_space(mnist):
    payload = payload_of(mnist.test_images[1])
    for name in ("vae", "pca"):
        decoded, _, _, _, *sliders = app.on_draw(payload, name, None)
        s = app.S[name]
        assert json.loads(decoded)["space"] == name and len(sliders) == 10 and all(lo <= v <= hi for v, lo, hi in zip(sliders, s.lo.tolist(), s.hi.tolist()))


def test_an_empty_canvas_is_nothing_to_reconstruct():
    out = app.on_draw("", "ae", None)
    assert out[2] is None and "nothing to reconstruct" in out[3]
    assert all(isinstance(o, type(gr.skip())) for o in (out[0], out[1], *out[4:]))  # sliders and decoder keep their code
    blank = json.dumps({"w": 8, "h": 8, "ink": base64.b64encode(bytes(64)).decode(), "seq": 1, "final": True})
    assert parse_payload(blank) is not None and app.on_draw(blank, "ae", None)[2] is None


def test_a_broken_payload_is_a_clear_error():
    with pytest.raises(gr.Error, match="Could not read the drawing: payload is not valid JSON"):
        app.on_draw("{nope", "ae", None)


def test_letting_go_of_a_slider_moves_the_ring_on_the_map():
    mid, far = app.on_release("ae", None, *((AE.lo + AE.hi) / 2).tolist()), app.on_release("ae", None, *AE.hi.tolist())
    ring = [h[h.index("<circle"):h.index("/>", h.index("<circle"))] for h in (mid, far)]
    assert ring[0] != ring[1]


def test_release_refuses_values_outside_the_box():
    with pytest.raises(gr.Error, match="outside its range"):
        app.on_release("ae", None, *(AE.hi + 1).tolist())


def test_reset_puts_the_sliders_on_the_drawing_code():
    x = app.on_draw(payload_of(app.A.examples[2]), "ae", None)[2]
    sliders = app.on_reset(x, "ae", None)[2:]
    z = AE.model.encode(torch.tensor(x)[None, None])[0]
    assert sliders == pytest.approx(torch.maximum(torch.minimum(z, AE.hi), AE.lo).tolist(), abs=0.005 + 1e-6)
    with pytest.raises(gr.Error, match="no code to go back to"):
        app.on_reset(None, "ae", None)


def test_switching_space_gives_new_ranges_and_histograms():
    x = app.on_draw(payload_of(app.A.examples[3]), "ae", None)[2]
    style, decoded, latent_map, *sliders = app.on_space("vae", x, None)
    vae = app.S["vae"]
    assert "<style>" in style and style.count("#z") == 10 and json.loads(decoded)["space"] == "vae"
    assert [s.minimum for s in sliders] == [round(v, 2) for v in vae.lo.tolist()]


def test_sampling_gives_sixteen_judged_images_and_marks_them_on_the_map():
    grid, samples, latent_map = app.on_sample("gmm", "ae", None)
    assert grid.count("<img") == 16 and len(samples["codes"]) == 16 and samples["space"] == "ae"
    assert latent_map.count('class="sample"') == 16
    other = app.on_sample("gmm", "ae", None)[0]
    assert other != grid  # a new draw per click


def test_prior_goes_through_both_decoders():
    ae_grid, vae_grid = app.on_prior(None)
    assert ae_grid.count("<img") == vae_grid.count("<img") == 16
    assert "autoencoder" in ae_grid and "VAE" in vae_grid


def test_interpolation_between_two_test_digits():
    strips = app.on_interpolate(0, 1, None)
    assert strips.count("<img") == 18 and "%" in strips
    with pytest.raises(gr.Error, match="Draw a digit first"):
        app.on_interpolate(-1, 1, None)


def test_clicking_an_example_puts_it_on_the_canvas():
    payload = app.on_example(gr.SelectData(None, {"index": 7, "value": None}))
    assert (parse_payload(payload) == app.A.examples[7].numpy()).all()


def test_api_round_trip(mnist):
    image = to_float(mnist.test_images[:1])[0, 0].tolist()
    code = app.api_encode(image)
    assert len(code) == 10
    box = torch.maximum(torch.minimum(torch.tensor(code), AE.hi), AE.lo).tolist()
    decoded = torch.tensor(app.api_decode(box))
    assert decoded.shape == (28, 28) and 0 <= decoded.min() and decoded.max() <= 1
    recon = torch.tensor(app.api_reconstruct(image))
    assert recon.shape == (28, 28) and torch.equal(recon, AE.model(torch.tensor(image)[None, None])[0, 0])


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
