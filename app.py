"""Draw a digit, watch a vanilla autoencoder squeeze it through ten numbers, and see why its codes can't be sampled."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # must be set before gradio is imported

import functools  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)  # tiny models: one thread per request is 10-40x faster than two fighting for 2 cores

from ae.canvas import canvas_to_input, encode_payload, parse_payload  # noqa: E402
from ae.config import WEIGHTS_DIR  # noqa: E402
from ae.data import to_float  # noqa: E402
from ae.evaluation import format_table  # noqa: E402
from ae.images import to_data_uri  # noqa: E402
from ae.inference import (check_code, check_image, clamp_to_box, decode, encode, interpolate, load_assets,  # noqa: E402
                          measure, mse, project, sample, verdicts)
from ae.plots import PALETTE, histogram_svg, map_extent, rebin, scatter_png, to_pixels  # noqa: E402
from ae.sampling import STRATEGIES  # noqa: E402
from ae.store import WeightsError  # noqa: E402
from serving import launch_settings  # noqa: E402

UI = Path(__file__).parent / "ui"
try:
    A = load_assets()  # loaded once; every session reads it and none writes it
except (WeightsError, OSError, ValueError) as e:
    raise SystemExit(f"Cannot start the demo: {e}") from None
S = A.spaces
Z = range(10)  # latent dimensions z0..z9
MAP = 320  # latent map size in px
HIDDEN = dict(api_visibility="undocumented", show_progress="hidden")  # UI events: off the API page, still typed
LIVE = dict(HIDDEN, trigger_mode="always_last", queue=False)  # a direct POST: half the server time of a queued event
EXTENTS = {n: map_extent(project(s, s.test_codes)) for n, s in S.items()}
LEGEND = "".join(f'<span style="color:{c}">●</span>{d} ' for d, c in enumerate(PALETTE))
CHOICES = [("your drawing", -1)] + [(f"test digit {int(y)}", i) for i, y in enumerate(A.example_labels)]


def digit(x: torch.Tensor, caption: str, cls: str = "digit") -> str:
    """An image (1, 28, 28) as crisp inline HTML with a caption."""
    return f'<figure class="{cls}"><img src="{to_data_uri(x)}" alt="{caption}"><figcaption>{caption}</figcaption></figure>'


def blank(caption: str) -> str:
    return f'<figure class="digit"><div class="blank"></div><figcaption>{caption}</figcaption></figure>'


@functools.cache  # one per space, built on first use: the map's scatter takes a while to draw
def space_style(name: str) -> str:
    """Per-space CSS: each slider's track shows where the training codes lie; the map shows the test codes."""
    s = S[name]
    rules = [f'#z{i} input[type=range]{{background:url("{histogram_svg(rebin(st["hist_edges"], st["hist_counts"], s.lo[i].item(), s.hi[i].item()))}") '
             f'center/100% 100% no-repeat !important}}' for i, st in enumerate(s.stats)]
    bg = scatter_png(project(s, s.test_codes), s.test_labels, EXTENTS[name], size=MAP)
    return f'<style>{"".join(rules)}#latent-map .map{{background-image:url("{bg}")}}</style>'


def on_grid(z: torch.Tensor) -> list[float]:
    """A slider code (10,) as the numbers the sliders show: 2.54, not float32's 2.5399999618530273."""
    return [round(v, 2) for v in z.tolist()]


def code_value(name: str, z: torch.Tensor) -> str:
    """A slider code (10,) in the space `name` as the decoded panel's value; the page decodes it (ui/decoded.js)."""
    return json.dumps({"space": name, "z": on_grid(z)})


def map_html(name: str, z: torch.Tensor, samples: dict | None) -> str:
    """The latent map's overlay: the current code (ring) and the latest samples (crosses) on the test codes."""
    marks = ""
    if samples and samples["space"] == name:
        for x, y in to_pixels(project(S[name], torch.tensor(samples["codes"])), EXTENTS[name], MAP).tolist():
            marks += f'<path d="M{x - 4:.0f},{y - 4:.0f}l8,8m0,-8l-8,8" class="sample"/>'
    (x, y), = to_pixels(project(S[name], z), EXTENTS[name], MAP).tolist()
    marks += f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" class="current"/>'
    return (f'<div class="map"><svg viewBox="0 0 {MAP} {MAP}" width="{MAP}" height="{MAP}">{marks}</svg></div>'
            f'<div class="legend">{LEGEND}· ◯ sliders · ✕ samples</div>')


def after_slide(name: str, z: torch.Tensor, samples: dict | None) -> list:
    """[decoded, map] for a code (10,) in the space `name`."""
    return [code_value(name, z), map_html(name, z, samples)]


def on_draw(payload: str, name: str, samples: dict | None) -> list:
    """A finished stroke: the sliders take its code in the chosen model, and every model reconstructs it.

    The canvas's own previews come from the live route (ui/canvas.js), on every update of the stroke.
    """
    try:
        x = canvas_to_input(parse_payload(payload)) if payload else None
    except ValueError as e:
        raise gr.Error(f"Could not read the drawing: {e}") from None
    if x is None:  # the sliders keep their code and the decoder its output
        return [gr.skip(), gr.skip(), None, blank("nothing to reconstruct: draw a digit"), *[gr.skip() for _ in Z]]
    codes = {n: encode(s.model, x) for n, s in S.items()}
    z = clamp_to_box(codes[name], S[name])  # sliders can't show a value beyond their range
    recons = {n: decode(S[n].model, c) for n, c in codes.items()}  # each (1, 28, 28)
    compare = "".join(digit(r, f"{S[n].title} · MSE {mse(r, x[0]):.4f}", "digit small") for n, r in recons.items())
    return [*after_slide(name, z, samples), x[0, 0].tolist(), f'<div class="row">{compare}</div>', *on_grid(z)]


def on_release(name: str, samples: dict | None, *z: float) -> str:
    """A slider let go: the map's ring moves to the code (the page decoded every step on the way)."""
    try:
        code = check_code(list(z), S[name].lo, S[name].hi)[0]
    except ValueError as e:
        raise gr.Error(str(e)) from None
    return map_html(name, code, samples)


def code_of(x: list | None, name: str) -> torch.Tensor:
    """The slider code (10,) of the current drawing in space `name`, or the box centre without one."""
    s = S[name]
    return clamp_to_box(encode(s.model, torch.tensor(x)[None, None]), s) if x is not None else (s.lo + s.hi) / 2


def on_reset(x: list | None, name: str, samples: dict | None) -> list:
    if x is None:
        raise gr.Error("Draw a digit or pick an example first: there is no code to go back to.")
    z = code_of(x, name)
    return [*after_slide(name, z, samples), *on_grid(z)]


def on_space(name: str, x: list | None, samples: dict | None) -> list:
    """Hand the sliders to another model: its ranges, its histograms, the drawing's code in it."""
    s, z = S[name], code_of(x, name)
    sliders = [gr.Slider(minimum=round(s.lo[i].item(), 2), maximum=round(s.hi[i].item(), 2), value=v) for i, v in zip(Z, on_grid(z))]
    return [space_style(name), *after_slide(name, z, samples), *sliders]


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


def on_sample(strategy: str, name: str, x: list | None) -> list:
    seed = secrets.randbelow(2**31)  # a new draw per click, reproducible from the seed shown
    z = sample(S["ae"], strategy, 16, seed)
    grid = grid_html(decode(S["ae"].model, z), f"{STRATEGIES[strategy]} (seed {seed})", measured("ae", strategy))
    samples = {"space": "ae", "codes": z.tolist()}
    return [grid, samples, map_html(name, code_of(x, name), samples)]


def on_prior(x: list | None) -> list:
    """The same 16 codes from N(0, I) through the autoencoder's and the VAE's decoder."""
    seed = secrets.randbelow(2**31)
    z = sample(S["ae"], "normal", 16, seed)
    return [grid_html(decode(S[n].model, z), f"{S[n].title}, N(0, I), seed {seed}", measured(n, "normal")) for n in ("ae", "vae")]


def on_interpolate(a: int, b: int, x: list | None) -> str:
    """Frames on the straight line between two codes, in the AE and the VAE, with the meter along the way."""
    if x is None and -1 in (a, b):
        raise gr.Error("Draw a digit first, or pick two test digits.")
    ends = [torch.tensor(x)[None, None] if i == -1 else to_float(A.examples[i:i + 1]) for i in (a, b)]
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


def on_example(evt: gr.SelectData) -> str:
    """Put a test digit on the canvas; the canvas's change event then reconstructs it like a drawing."""
    return encode_payload(A.examples[evt.index].numpy())


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


first = on_draw(encode_payload(A.examples[0].numpy()), "ae", None)
with gr.Blocks(title="What does an autoencoder learn?") as demo:
    style = gr.HTML(space_style("ae"), elem_id="space-style")
    gr.Markdown((UI / "intro.md").read_text(), elem_id="intro")
    with gr.Row(elem_id="core", equal_height=False):
        with gr.Column(scale=0, min_width=452, elem_id="draw"):
            canvas = gr.HTML(value=encode_payload(A.examples[0].numpy()), html_template=(UI / "canvas.html").read_text(),
                             css_template=(UI / "canvas.css").read_text(), js_on_load=(UI / "canvas.js").read_text(),
                             elem_id="canvas")
        with gr.Column(scale=1, elem_id="latent"):
            space = gr.Radio([(s.title, n) for n, s in S.items()], value="ae", label="The sliders drive the decoder of",
                             elem_id="space")
            with gr.Row():
                sliders = [gr.Slider(round(S["ae"].lo[i].item(), 2), round(S["ae"].hi[i].item(), 2), value=first[-10 + i], step=0.01,
                                     label=f"z{i}", elem_id=f"z{i}", elem_classes="z") for i in Z]
            reset = gr.Button("Back to the drawing's code", size="sm", elem_id="reset")
        with gr.Column(scale=0, min_width=190, elem_id="out"):
            decoded = gr.HTML(first[0], html_template=(UI / "decoded.html").read_text(),
                              js_on_load=(UI / "decoded.js").read_text(), elem_id="decoded")
    drawing = gr.State(first[2])
    samples = gr.State(None)
    examples = gr.Gallery([(a.numpy(), str(int(y))) for a, y in zip(A.examples, A.example_labels)],
                          label="Start from a real test digit", columns=10, rows=1, height=100, object_fit="contain",
                          allow_preview=False, elem_id="examples")

    gr.Markdown((UI / "lesson.md").read_text(), elem_id="lesson")
    with gr.Row(elem_id="sampling"):
        with gr.Column(scale=1):
            strategy = gr.Radio([(label, key) for key, label in STRATEGIES.items()], value="normal",
                                label="Draw 16 codes for the autoencoder from", elem_id="strategy")
            sample_btn = gr.Button("Sample", variant="primary", elem_id="sample")
            grid = gr.HTML('<div class="grid-title">press Sample</div>', elem_id="grid")
        with gr.Column(scale=0, min_width=340):
            latent_map = gr.HTML(first[1], label="latent map", elem_id="latent-map")
    gr.Markdown(format_table(A.table["rows"]) if A.table else "*Not measured yet: run `python benchmarks/sampling_table.py`.*",
                elem_id="table")

    gr.Markdown((UI / "beyond.md").read_text(), elem_id="beyond")
    compare = gr.HTML(first[3], elem_id="compare")
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
    gr.Image(str(WEIGHTS_DIR / "ae_figure.png"), label="Ten test digits (top) and their reconstructions",
             interactive=False, elem_id="figure")

    slide_out = [decoded, latent_map]
    canvas.change(on_draw, [canvas, space, samples], [*slide_out, drawing, compare, *sliders], api_name="draw", **LIVE)
    for s in sliders:  # every step decodes in the page's live route; letting go moves the map's ring
        s.input(None, [space, *sliders], decoded, js="(space, ...z) => JSON.stringify({space, z})", show_progress="hidden")
        s.release(on_release, [space, samples, *sliders], latent_map, api_name="release", **LIVE)
    reset.click(on_reset, [drawing, space, samples], [*slide_out, *sliders], api_name="reset", **HIDDEN)
    space.input(on_space, [space, drawing, samples], [style, *slide_out, *sliders], api_name="space", **HIDDEN)
    examples.select(on_example, None, canvas, api_visibility="private")
    sample_btn.click(on_sample, [strategy, space, drawing], [grid, samples, latent_map], api_name="sample", **HIDDEN)
    prior_btn.click(on_prior, drawing, [prior_ae, prior_vae], api_name="prior", **HIDDEN)
    interp_btn.click(on_interpolate, [end_a, end_b, drawing], interp, api_name="interpolate", **HIDDEN)
    gr.api(api_encode, api_name="encode")
    gr.api(api_decode, api_name="decode")
    gr.api(api_reconstruct, api_name="reconstruct")


if __name__ == "__main__":
    demo.launch(css_paths=[UI / "app.css"], **launch_settings(S))
