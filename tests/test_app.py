"""Every handler of app.py, called directly: no server, no browser."""
import json
import re

import gradio as gr
import pytest
import numpy as np
import torch

import app
from ae.checks import parse_drawing
from ae.data import to_float
from ae.export import load_exported
from ae.registry import MODELS
from ae.strokes import drawing_to_input, encode_image
from serve.files import MODULES

SEVEN = json.dumps({"strokes": [[[60, 50], [220, 50], [120, 250]]]})


def test_interpolation_takes_the_drawing_from_the_page(mnist):
    from_seven = app.on_interpolate(-1, 3, SEVEN)
    from_digit = app.on_interpolate(-1, 3, encode_image(mnist.test_images[0].numpy()))
    assert from_seven.count("<img") == from_digit.count("<img") == 18 and from_seven != from_digit
    assert app.on_interpolate(0, 3, "") == app.on_interpolate(0, 3, SEVEN)  # no drawing needed between test digits


@pytest.mark.parametrize("empty", ["", '{"strokes": []}'])
def test_interpolating_from_no_drawing_says_what_to_do_in_its_place(empty):
    out = app.on_interpolate(-1, 1, empty)  # a message where the frames go, not a toast over the page
    assert "draw a digit" in out and "<img" not in out


def test_a_broken_drawing_is_a_clear_error():
    with pytest.raises(gr.Error, match="Could not read the drawing: the drawing is not valid JSON"):
        app.on_interpolate(-1, 1, "{nope")


def test_sampling_gives_sixteen_judged_images_and_their_codes_for_the_map():
    out = app.on_sample("gmm")
    grid, marks = out[app.grid], out[app.latent_map]
    assert grid.count("<img") == 16
    samples = json.loads(marks)
    assert samples["space"] == "ae" and len(samples["codes"]) == 16 and len(samples["codes"][0]) == 10
    assert app.on_sample("gmm")[app.grid] != grid  # a new draw per click
    z = np.array(samples["codes"], dtype=np.float32)
    assert samples["off"] == [app.measure(app.S["ae"], c).warn for c in z]  # the meter's flag for each mark
    assert sum(json.loads(app.on_sample("normal")[app.latent_map])["off"]) >= 10  # N(0, I): most codes off the data


def test_a_lesson_row_gives_its_spread_over_training_seeds_and_the_others_do_not():
    seeds = [r["rows"]["normal"]["realistic_share"] for r in app.A.seeds["runs"] if r["model"] == "ae"]
    line = app.measured("ae", "normal")
    assert f"models trained from {len(seeds)} other seeds, {app.A.seeds['epochs']} epochs each:" in line
    assert f"from {min(seeds):.1%} to {max(seeds):.1%})" in line
    assert "judge is sure (≥ 0.9) of" in app.measured("ae", "uniform") and \
        "other seeds" not in app.measured("ae", "uniform")
    rows = {(r["model"], r["source"]): r for r in app.A.table["rows"]}
    assert f"{rows['ae', 'normal']['realistic_share']:.1%} land among real digits" in line
    assert f"so do {rows['data', 'train']['realistic_share']:.0%} of real training digits" in line


def test_real_digits_land_among_real_digits_and_noise_does_not(mnist):
    x = torch.cat([to_float(mnist.train_images[:8]),
                   torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))])
    grid = app.grid_html(x.numpy(), "check")
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", grid)
    assert captions[8:] == ["✗ not digit-like"] * 8  # uniform noise is far from every real digit
    real = [c for c in captions[:8] if c.startswith("✓")]
    assert real and all(c == f"✓ {int(y)}" for c, y in zip(captions[:8], mnist.train_labels[:8]) if c.startswith("✓"))
    assert f"{len(real) / 16:.0%} land among real digits" in grid
    assert grid.count('title="realism score ') == 16 and "with confidence 0." in grid


def test_prior_goes_through_both_decoders():
    out = app.on_prior()
    ae_grid, vae_grid = out[app.prior_ae], out[app.prior_vae]
    assert ae_grid.count("<img") == vae_grid.count("<img") == 16
    assert "autoencoder" in ae_grid and "VAE" in vae_grid


def test_interpolation_between_two_test_digits():
    strips = app.on_interpolate(0, 1, "")
    assert strips.count("<img") == 18 and "%" in strips


def test_api_round_trip(mnist):
    image = to_float(mnist.test_images[:1])[0, 0].tolist()
    code = app.api_encode(image)
    assert len(code) == 10
    decoded = app.api_decode(code)
    image_out = torch.tensor(decoded["image"])
    assert image_out.shape == (28, 28) and 0 <= image_out.min() and image_out.max() <= 1
    assert decoded["off_the_data"] is False and decoded["nearest_digit"] == int(mnist.test_labels[0])
    recon = torch.tensor(app.api_reconstruct(image))
    torch_ae = load_exported(MODELS["ae"])  # the trusted reference, as the ONNX file holds it
    assert recon.shape == (28, 28) and torch.allclose(recon, torch_ae(torch.tensor(image)[None, None])[0, 0], atol=1e-5)
    assert torch.allclose(image_out, recon, atol=1e-6)  # decoding the code gives the reconstruction
    prepared = app.api_prepare(json.loads(SEVEN)["strokes"])
    assert prepared == drawing_to_input(parse_drawing(SEVEN))[0, 0].tolist()


def test_the_api_decodes_codes_far_from_the_data_and_says_so():
    far = app.api_decode([500.0] * 10)
    assert far["off_the_data"] is True and far["percentile"] == 100 and far["distance"] > 1000
    assert all(0 <= v <= 1 for row in far["image"] for v in row)


@pytest.mark.parametrize("confidence, shown", [(0.97, "0.97"), (0.999, "0.99"), (0.896, "0.89")])
def test_a_cell_says_among_real_digits_or_not_and_never_rounds_the_confidence_up(confidence, shown):
    x = np.zeros((1, 28, 28), np.float32)
    inside = app.verdict_cell(x, {"real": True, "realism": 1.5, "digit": 3, "confidence": confidence})
    outside = app.verdict_cell(x, {"real": False, "realism": 0.4, "digit": 5, "confidence": confidence})
    assert "<figcaption>✓ 3</figcaption>" in inside and 'class="cell"' in inside
    assert "<figcaption>✗ not digit-like</figcaption>" in outside and 'class="cell doubt"' in outside
    assert f"the judge sees a 5 with confidence {shown}" in outside and "realism score 0.40" in outside


@pytest.mark.parametrize("fn, arg, message", [
    (app.api_decode, [0.0] * 3, "must have 10 numbers"),
    (app.api_decode, [float("nan")] * 10, "must be finite"),
    (app.api_decode, [1e9] * 10, r"must lie in \[-1000, 1000\]"),
    (app.api_decode, [10**400] + [0] * 9, "too large"),
    (app.api_encode, [[0.5] * 5], "28x28"),
    (app.api_reconstruct, [[-1.0] * 28] * 28, r"lie in \[0, 1\]"),
    (app.api_prepare, [], "at least one stroke"),
    (app.api_prepare, [[[1, "a"]]], "must be a number"),
])
def test_api_answers_bad_input_with_a_message(fn, arg, message):
    with pytest.raises(gr.Error, match=message):
        fn(arg)


def test_every_page_part_imports_its_module_through_the_versioned_route():
    config = app.demo.get_config_file()
    scripts = [c["props"]["js_on_load"] for c in config["components"] if "ui/" in c["props"].get("js_on_load", "")]
    assert all(f'"ui/{app.VERSION}/bundle.js"' in s for s in scripts)  # one file for the page's code, fetched once
    modules = {s.split('modules["')[1].split('"')[0] for s in scripts}
    assert modules == {"canvas.js", "sliders.js", "decoded.js", "examples.js", "latent-map.js", "compare.js",
                       "bottleneck.js", "planes.js", "network.js", "replay.js", "guide.js"}
    assert modules <= set(MODULES) and "bundle.js" in app.PAGE
