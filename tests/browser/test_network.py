"""The network drawn as the interface (#network): each layer view paints torch's activations for the drawing, a slider
moves only the decoder's, an empty canvas leaves every view blank, and a layer export that fails leaves its own."""
import numpy as np
import torch
from playwright.sync_api import Page, expect

from ae.export import load_exported
from ae.registry import MODELS, NETWORK
from recording import open_app, wait_quiet

SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.55, 0.5), (0.45, 0.85)]
VIEWS = "#network [data-shape], #layer-drawing"
# each view: its layer's name, its shape, the numbers it paints (null when blank) and its canvas's pixels (red)
READ_VIEWS = """(sel) => [...document.querySelectorAll(sel)].map((v) => {
  const c = v.querySelector("canvas");
  const red = Array.from(c.getContext("2d").getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0));
  return { id: v.id, shape: v.dataset.shape, values: v.values ? Array.from(v.values) : null, empty: v.matches(".empty"),
           caption: v.querySelector("figcaption").textContent, red, width: c.width };
})"""


def views(page: Page) -> dict[str, dict]:
    return {v["id"].removeprefix("layer-"): v for v in page.evaluate(READ_VIEWS, VIEWS)}


def layer_views(page: Page) -> dict[str, dict]:
    return {name: v for name, v in views(page).items() if v["shape"]}


def torch_layers(x: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
    """Each drawn layer's activations in torch (forward hooks): the encoder's for input x, the decoder's for code z."""
    model = load_exported(MODELS["ae"])
    seen = {}
    for layer in NETWORK:
        module = getattr(model, layer.part)[layer.after]
        module.register_forward_hook(lambda m, args, out, name=layer.name: seen.__setitem__(name, out.numpy()[0]))
    with torch.no_grad():
        model.encode(torch.from_numpy(x).reshape(1, 1, 28, 28))
        encoded = seen["z"]
        model.decode(torch.from_numpy(z)[None])
    return {**seen, "z": encoded}


def draw_seven(page: Page, draw) -> None:
    """A seven drawn on a cleared canvas, once the sliders hold its code (pen-up's answer can come late)."""
    caption = page.locator("#decoded figcaption")
    page.click("#canvas .ae-clear")
    expect(caption).to_contain_text("no drawing")  # else the caption below could still be the last drawing's
    draw("#canvas .ae-draw", SEVEN)
    expect(caption).to_contain_text("at your drawing's code", timeout=15_000)
    wait_quiet(page, 300)


def test_each_layer_view_paints_torchs_activations_for_the_drawing(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    shown = layer_views(page)
    assert sorted(v["shape"] for v in shown.values()) == sorted(
        ["1x28x28"] + ["x".join(map(str, n.shape)) for n in NETWORK])
    x = np.array(shown["input"]["values"], dtype=np.float32)
    code = np.array(shown["z"]["values"], dtype=np.float32)  # the decoder's input: the sliders' code
    sliders = [float(page.input_value(f"#z{i} input[type=range]")) for i in range(10)]
    assert np.abs(code - sliders).max() <= 1e-5
    expected = torch_layers(x, code)
    box = [[float(page.get_attribute(f"#z{i} input[type=range]", k)) for i in range(10)] for k in ("min", "max")]
    assert np.abs(np.clip(expected["z"], *box) - sliders).max() <= 1e-4, "the sliders hold another code"
    for layer in NETWORK:
        got = np.array(shown[layer.name]["values"], dtype=np.float32).reshape(layer.shape)
        want = code if layer.name == "z" else expected[layer.name]
        assert np.abs(got - want.reshape(layer.shape)).max() <= 1e-4, layer.name
    enc1 = shown["enc1"]  # its first map, as painted: the layer scaled by its largest value
    values = np.array(enc1["values"]).reshape(16, 26, 26)
    red = np.array(enc1["red"]).reshape(-1, enc1["width"])[:26, :26]
    assert np.abs(red - np.round(values[0] / values.max() * 255)).max() <= 1
    assert values.max() > 0


def test_a_slider_moves_the_decoders_layers_and_not_the_encoders(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    before = layer_views(page)
    track = "#z2 input[type=range]"
    middle = sum(float(page.get_attribute(track, k)) for k in ("min", "max")) / 2
    page.focus(track)
    key = "PageDown" if float(page.input_value(track)) > middle else "PageUp"  # towards the far end: it moves
    for _ in range(3):
        page.keyboard.press(key)
    expect(page.locator("#decoded figcaption")).to_contain_text("z2 moved off", timeout=15_000)  # decoded, drawn
    wait_quiet(page, 300)
    after = layer_views(page)
    for layer in NETWORK:
        same = after[layer.name]["values"] == before[layer.name]["values"]
        assert same == (layer.part == "encoder" and layer.name != "z"), layer.name


def test_an_empty_canvas_leaves_the_network_at_rest(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    page.click("#canvas .ae-clear")
    wait_quiet(page, 300)
    for name, v in views(page).items():
        assert v["empty"] and v["values"] is None, name  # the drawing's view paints no numbers at any time
        assert max(v["red"]) == 0, f"{name} still shows a picture"


def test_a_layer_export_that_fails_leaves_its_views_saying_so_and_the_page_works(page, app_url, draw):
    page.route(f"**/{MODELS['ae'].layer_onnx['decoder_layers']}", lambda route: route.fulfill(status=404))
    open_app(page, app_url)
    draw_seven(page, draw)
    shown = views(page)
    for layer in NETWORK:
        v = shown[layer.name]
        if layer.part == "decoder":
            assert v["empty"] and "did not load" in v["caption"], layer.name
        else:
            assert not v["empty"], layer.name
    assert page.locator("#reconstruction:not(.empty)").count() == 1
    assert page.locator("#decoded:not(.empty)").count() == 1
    assert page.locator("#canvas .ae-mode").is_hidden(), "the page fell back to the server"


def test_sliders_on_another_model_leave_the_network_at_the_drawing_and_say_so(app_page, draw):
    page = app_page
    draw_seven(page, draw)
    page.locator("#sliders label", has_text="VAE").click()
    expect(page.locator(".ae-net-space")).to_contain_text("The sliders now drive the VAE's decoder")
    wait_quiet(page, 300)
    before = layer_views(page)
    page.focus("#z2 input[type=range]")
    for _ in range(3):
        page.keyboard.press("PageUp")
    wait_quiet(page, 300)
    assert layer_views(page) == before, "a VAE code was drawn on the autoencoder's layers"
    page.locator("#sliders label", has_text="autoencoder").click()
    expect(page.locator(".ae-net-space")).to_be_hidden()
