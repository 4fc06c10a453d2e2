"""Draw a digit, watch a vanilla autoencoder squeeze it through ten numbers, and see why its codes can't be sampled."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # must be set before gradio is imported

import json  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import torch  # noqa: E402

from ae.data import to_float  # noqa: E402
from ae.evaluation import format_table  # noqa: E402
from ae.images import to_data_uri  # noqa: E402
from ae.inference import check_code, check_image, decode, encode, interpolate, load_assets, measure, sample, verdicts  # noqa: E402
from ae.sampling import STRATEGIES  # noqa: E402
from ae.store import WeightsError  # noqa: E402
from ae.strokes import drawing_to_input, parse_drawing  # noqa: E402
from serving import launch_settings, page_assets, version_of  # noqa: E402

UI = Path(__file__).parent / "ui"
try:
    A = load_assets()  # loaded once; every session reads it and none writes it
except (WeightsError, OSError, ValueError) as e:
    raise SystemExit(f"Cannot start the demo: {e}") from None
S = A.spaces
PAGE, PROBLEMS = page_assets(A)  # the page's own files, served by name; PROBLEMS: files left out, said at launch
VERSION = version_of(PAGE)
# UI events: off the API page, still typed; outside gradio's queue (stateless, so safe): a plain request costs
# the server a few ms less than a queued event with its event stream, and a room's presses run side by side
HIDDEN = dict(api_visibility="undocumented", show_progress="hidden", queue=False)
CHOICES = [("your drawing", -1)] + [(f"test digit {int(y)}", i) for i, y in enumerate(A.example_labels)]


def script(module: str) -> str:
    """js_on_load of a gr.HTML whose code is the ES module ui/<module>: import it from the app's own route, mount it."""
    return (f'import(new URL("ui/{VERSION}/{module}", document.baseURI))'
            '.then((m) => m.mount(element, props, watch))'
            '.catch((e) => { element.textContent = "This part of the page did not load: " + e.message; });')


def live_html(name: str, elem_id: str, value: str = "") -> gr.HTML:
    """A part of the page that runs in the browser: ui/<name>.html filled by ui/<name>.js."""
    return gr.HTML(value, html_template=(UI / f"{name}.html").read_text(), js_on_load=script(f"{name}.js"),
                   elem_id=elem_id)


def digit(x: torch.Tensor, caption: str, cls: str = "digit") -> str:
    """An image (1, 28, 28) as crisp inline HTML with a caption."""
    return f'<figure class="{cls}"><img src="{to_data_uri(x)}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'


def measured(model: str, source: str) -> str:
    """The sampling table's verdict on a strategy, measured on many samples, as one line."""
    row = next((r for r in A.table["rows"] if (r["model"], r["source"]) == (model, source)), None) if A.table else None
    if row is None:
        return ""
    return (f'<div class="note">measured on {A.table["n"]:,} samples: the judge is sure of {row["confident_share"]:.0%}, '
            f'Fréchet distance to real digits {max(row["frechet"], 0):.0f} (see the table below)</div>')


def grid_html(images: torch.Tensor, title: str, score: str = "") -> str:
    """Images (B, 1, 28, 28) with the judge's verdict under each, and the measured score of their source."""
    labels, conf = verdicts(A.judge, images)
    cells = "".join(digit(x, f"{y} · {c:.2f}" if c >= 0.9 else f"? · {c:.2f}", "cell" + ("" if c >= 0.9 else " doubt"))
                    for x, y, c in zip(images, labels, conf))
    share = sum(c >= 0.9 for c in conf) / len(conf)
    return f'<div class="grid-title">{title}: the judge is sure (≥ 0.9) of {share:.0%}</div><div class="grid">{cells}</div>{score}'


def on_sample(strategy: str) -> list:
    """16 codes for the autoencoder from a strategy, decoded and judged; the page marks them on its map."""
    seed = secrets.randbelow(2**31)  # a new draw per click, reproducible from the seed shown
    z = sample(S["ae"], strategy, 16, seed)
    grid = grid_html(decode(S["ae"].model, z), f"{STRATEGIES[strategy]} (seed {seed})", measured("ae", strategy))
    return [grid, json.dumps({"space": "ae", "codes": z.tolist()})]


def on_prior() -> list:
    """The same 16 codes from N(0, I) through the autoencoder's and the VAE's decoder."""
    seed = secrets.randbelow(2**31)
    z = sample(S["ae"], "normal", 16, seed)
    return [grid_html(decode(S[n].model, z), f"{S[n].title}, N(0, I), seed {seed}", measured(n, "normal")) for n in ("ae", "vae")]


def on_interpolate(a: int, b: int, payload: str) -> str:
    """Frames on the straight line between two codes, in the AE and the VAE, with the meter along the way.

    The page's drawing (the canvas's value) comes with the click: the server needs it only here, so a stroke
    costs it nothing and no session can see another's drawing.
    """
    try:
        drawing = parse_drawing(payload)
    except ValueError as e:
        raise gr.Error(f"Could not read the drawing: {e}") from None
    if drawing is None and -1 in (a, b):
        raise gr.Error("Draw a digit first, or pick two test digits.")
    ends = [drawing_to_input(drawing) if i == -1 else to_float(A.examples[i:i + 1]) for i in (a, b)]
    rows = ""
    for n in ("ae", "vae"):
        s = S[n]
        za, zb = (encode(s.model, e) for e in ends)
        frames = interpolate(za, zb, 9)
        meters = [measure(s, z) for z in frames]
        cells = "".join(digit(f, f"{m['percentile']:.0f}%", "cell" + (" doubt" if m["warn"] else ""))
                        for f, m in zip(decode(s.model, frames), meters))
        rows += f'<div class="grid-title">{s.title}</div><div class="strip">{cells}</div>'
    return rows + '<div class="note">under each frame: how far its code is from the data, as a percentile of real test digits</div>'


def api_encode(image: list[list[float]]) -> list[float]:
    """Encode a 28x28 image (rows of numbers in [0, 1], white ink on black) to the autoencoder's 10-number code."""
    try:
        return encode(S["ae"].model, check_image(image)).tolist()
    except ValueError as e:
        raise gr.Error(str(e)) from None


def api_decode(code: list[float]) -> list[list[float]]:
    """Decode a 10-number code (each inside its slider range) to a 28x28 image with pixels in [0, 1]."""
    try:
        return decode(S["ae"].model, check_code(code, S["ae"].lo, S["ae"].hi)[0])[0].tolist()
    except ValueError as e:
        raise gr.Error(str(e)) from None


def api_reconstruct(image: list[list[float]]) -> list[list[float]]:
    """Encode a 28x28 image and decode its code: the autoencoder's reconstruction, 28x28 in [0, 1]."""
    try:
        return S["ae"].model(check_image(image))[0, 0].tolist()
    except ValueError as e:
        raise gr.Error(str(e)) from None


def api_prepare(strokes: list[list[list[float]]]) -> list[list[float]]:
    """Prepare a drawing, strokes of [x, y] points (any scale, y down), as MNIST was made: 28x28 in [0, 1]."""
    try:
        x = drawing_to_input(parse_drawing(json.dumps({"strokes": strokes})))
    except ValueError as e:
        raise gr.Error(str(e)) from None
    if x is None:
        raise gr.Error("a drawing needs at least one stroke")
    return x[0, 0].tolist()


with gr.Blocks(title="What does an autoencoder learn?") as demo:
    gr.Markdown((UI / "intro.md").read_text(), elem_id="intro")
    with gr.Row(elem_id="core", equal_height=False):
        canvas = live_html("canvas", "canvas")
        live_html("sliders", "sliders")
        live_html("decoded", "out")
    live_html("examples", "examples")

    gr.Markdown((UI / "lesson.md").read_text(), elem_id="lesson")
    with gr.Row(elem_id="sampling"):
        with gr.Column(scale=1):
            strategy = gr.Radio([(label, key) for key, label in STRATEGIES.items()], value="normal",
                                label="Draw 16 codes for the autoencoder from", elem_id="strategy")
            sample_btn = gr.Button("Sample", variant="primary", elem_id="sample")
            grid = gr.HTML('<div class="grid-title">press Sample</div>', elem_id="grid")
        with gr.Column(scale=0, min_width=340):
            latent_map = live_html("latent-map", "latent-map")
    gr.Markdown(format_table(A.table["rows"]) if A.table else "*Not measured yet: run `python benchmarks/sampling_table.py`.*",
                elem_id="table")

    gr.Markdown((UI / "beyond.md").read_text(), elem_id="beyond")
    live_html("compare", "compare")
    prior_btn = gr.Button("Sample 16 codes from N(0, I) for both", elem_id="prior")
    with gr.Row():
        prior_ae = gr.HTML(elem_id="prior-ae")
        prior_vae = gr.HTML(elem_id="prior-vae")
    with gr.Row():
        end_a = gr.Dropdown(CHOICES, value=-1, label="from", elem_id="from")
        end_b = gr.Dropdown(CHOICES, value=1, label="to", elem_id="to")
        interp_btn = gr.Button("Interpolate", elem_id="interpolate")
    interp = gr.HTML(elem_id="interpolation")
    gr.Markdown((UI / "explain.md").read_text().format(test_mse=A.summary["test_mse"], pca_mse=A.summary["pca_test_mse"],
                                                       epochs=A.summary["recipe"]["epochs"]), elem_id="explain")

    sample_btn.click(on_sample, strategy, [grid, latent_map], api_name="sample", **HIDDEN)
    prior_btn.click(on_prior, None, [prior_ae, prior_vae], api_name="prior", **HIDDEN)
    interp_btn.click(on_interpolate, [end_a, end_b, canvas], interp, api_name="interpolate", **HIDDEN)
    gr.api(api_encode, api_name="encode")
    gr.api(api_decode, api_name="decode")
    gr.api(api_reconstruct, api_name="reconstruct")
    gr.api(api_prepare, api_name="prepare")


if __name__ == "__main__":
    for problem in PROBLEMS:
        print(f"warning: {problem}; the page will run the models on the server", flush=True)
    torch.set_num_threads(1)  # tiny models: one thread per request is 10-40x faster than two fighting for 2 cores
    demo.launch(css_paths=[UI / "app.css"], **launch_settings(S, PAGE, VERSION))
