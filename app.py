"""Draw a digit, watch a vanilla autoencoder squeeze it through ten numbers, and see why its codes can't be sampled."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # must be set before gradio is imported

import functools  # noqa: E402
import html  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from ae.checks import check_code, check_image, parse_drawing  # noqa: E402
from ae.config import FRAMES  # noqa: E402
from ae.images import to_data_uri  # noqa: E402
from ae.inference import decode, encode, interpolate, judge_features, load_assets, measure, reconstruct, sample  # noqa: E402
from ae.metrics import verdicts  # noqa: E402
from ae.runtime import ModelFileError  # noqa: E402
from ae.sampling import STRATEGIES  # noqa: E402
from ae.store import WeightsError  # noqa: E402
from ae.strokes import drawing_to_input  # noqa: E402
from ae.table import format_table  # noqa: E402
from serve.files import entry, page_assets, version_of  # noqa: E402
from serve.busy import MAX_QUEUED  # noqa: E402
from serve.guard import api_inputs  # noqa: E402
from serve.room import own_url, qr_svg  # noqa: E402
from serving import launch_settings  # noqa: E402

UI = Path(__file__).parent / "ui"
try:
    A = load_assets()  # loaded once; every session reads it and none writes it
except (WeightsError, ModelFileError, OSError) as e:
    raise SystemExit(f"Cannot start the demo: {e}") from None
S = A.spaces
PAGE, PROBLEMS = page_assets(A)  # the page's own files, served by name; PROBLEMS: files left out, said at launch
VERSION = version_of(PAGE)
ENTRY = entry(PAGE)  # the page's code: one bundle, or ui/index.js importing each module
# The buttons' events: off the API page, still typed; outside gradio's queue (stateless, so safe): a plain request
# costs the server a few ms less than a queued event with its event stream, and a room's presses run side by side
BUTTON = dict(api_visibility="undocumented", show_progress="minimal", queue=False)
API_CONCURRENCY = 8  # a class's notebooks: one at a time, 50 of them queued for seconds behind each other
# Gradio's bundled Source Sans Pro SemiBold (600) is a 5 KB subset of a few letters, so bold text mixed two typefaces
# ("PCA" drew its "A" from a fallback): the page uses the complete Regular and Bold files gradio serves itself.
THEME = gr.themes.Default(font=[gr.themes.LocalFont("Source Sans Pro", weights=(400, 700)), "ui-sans-serif",
                                "sans-serif"],
                          font_mono=[gr.themes.LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace",
                                     "monospace"]
                          ).set(button_primary_background_fill="#c2410c",
                                button_primary_background_fill_hover="#9a3412",
                                # white on orange-700: 5.2:1 (gradio's orange-600: 3.6)
                                button_primary_text_color="#ffffff")
# The address a room joins at, when the app listens on the network (GRADIO_SERVER_NAME=0.0.0.0); None otherwise, and
# on Hugging Face Spaces (SPACE_ID is set there), whose container's own address no phone can reach
ROOM = None if os.environ.get("SPACE_ID") else own_url(os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                                                       int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
GRID_EMPTY = '<div class="grid-title">press Sample</div>'
# Start over, in the page alone: ui/page.js clears the drawing and the sliders, this clears the server's outputs
START_OVER_JS = f"() => [{json.dumps(GRID_EMPTY)}, '', '', '', '']"
CHOICES = [("your drawing", -1)] + [(f"test digit {int(y)}", i) for i, y in enumerate(A.example_labels)]


def script(module: str) -> str:
    """js_on_load of a gr.HTML whose code is the ES module ui/<module>: import the page's code from the app's own
    route, mount that module."""
    return (f'import(new URL("ui/{VERSION}/{ENTRY}", document.baseURI))'
            f'.then((m) => m.modules["{module}"].mount(element, props, watch))'
            '.catch((e) => { element.textContent = "This part of the page did not load: " + e.message; });')


def page_script() -> str:
    """launch(js=...): the page-wide module ui/page.js, run once gradio has drawn the page."""
    return f'() => import(new URL("ui/{VERSION}/{ENTRY}", document.baseURI)).then((m) => m.modules["page.js"].mount())'


def live_html(name: str, elem_id: str, value: str = "") -> gr.HTML:
    """A part of the page that runs in the browser: ui/<name>.html filled by ui/<name>.js."""
    return gr.HTML(value, html_template=(UI / f"{name}.html").read_text(), js_on_load=script(f"{name}.js"),
                   elem_id=elem_id)


@functools.cache
def template(name: str) -> str:
    return (UI / "templates" / f"{name}.html").read_text()


def render(name: str, **fields) -> str:
    """ui/templates/<name>.html filled in with fields (text fields are escaped by the caller, html.escape)."""
    return template(name).format(**fields)


def figure_html() -> str:
    """The seed's figure of ten test digits and their reconstructions, loaded as it comes near the screen (ui/page.js)
    and its box kept meanwhile, so nothing below it moves when it arrives; nothing where weights/ has none."""
    if "ae_figure.png" not in PAGE:
        return ""
    width, height = Image.open(io.BytesIO(PAGE["ae_figure.png"].body)).size
    return (f'<figure class="ae-figure"><img data-src="ui/{VERSION}/ae_figure.png" width="{width}" height="{height}" '
            'alt="ten test digits and their reconstructions"><figcaption>Ten test digits (top) and their '
            'reconstructions</figcaption></figure>')


def fail(message: str) -> gr.Error:
    """An input error for the API's caller: a message, no traceback in the server's log."""
    return gr.Error(message, print_exception=False)


def cell(x: np.ndarray, caption: str, doubt: bool, hover: str = "") -> str:
    """An image (1, 28, 28) as a small captioned figure, with a line to show on hover."""
    return render("cell", cls="cell doubt" if doubt else "cell", src=to_data_uri(x), caption=html.escape(caption),
                  hover=html.escape(hover))


def verdict_cell(x: np.ndarray, v: dict) -> str:
    """An image (1, 28, 28) captioned with its verdict (one of ae.metrics.verdicts), the judge's figures on hover."""
    caption = f"✓ {v['digit']}" if v["real"] else "✗ not digit-like"
    realism, confidence = (math.floor(v[key] * 100) / 100 for key in ("realism", "confidence"))  # never rounded up
    hover = (f"realism score {realism:.2f} (at least 1: among real digits); the judge sees a {v['digit']} "
             f"with confidence {confidence:.2f}")
    return cell(x, caption, not v["real"], hover)


def measured(model: str, source: str) -> str:
    """The sampling table's verdict on a strategy, measured on many samples, and its spread over training seeds."""
    rows = {(r["model"], r["source"]): r for r in A.table["rows"]} if A.table else {}
    row, floor = rows.get((model, source)), rows.get(("data", "train"))
    if row is None or floor is None or "realistic_share" not in row:
        return ""
    # the share among real digits on models trained from other seeds (rows scored before it was measured have none)
    shares = [r["rows"][source]["realistic_share"] for r in (A.seeds or {}).get("runs", [])
              if r["model"] == model and "realistic_share" in r.get("rows", {}).get(source, {})]
    spread = render("spread", seeds=len(shares), epochs=A.seeds["epochs"], mean=sum(shares) / len(shares),
                    lo=min(shares), hi=max(shares)) if shares else ""
    return render("measured", n=A.table["n"], real=row["realistic_share"], floor=floor["realistic_share"],
                  precision=row["precision"], recall=row["recall"], share=row["confident_share"],
                  frechet=max(row["frechet"], 0), spread=spread)


def grid_html(images: np.ndarray, title: str, score: str = "") -> str:
    """Images (B, 1, 28, 28) with the verdict under each, the share among real digits, and their source's score."""
    judged = verdicts(*judge_features(A.judge, images), *A.judge_reference)
    cells = "".join(verdict_cell(x, v) for x, v in zip(images, judged))
    return render("grid", title=html.escape(title), share=sum(v["real"] for v in judged) / len(judged), cells=cells,
                  measured=score)


def on_sample(strategy: str) -> dict:
    """16 codes for the autoencoder from a strategy, decoded and judged; the page marks them on its map, each as the
    meter sees it (off the data or not)."""
    seed = secrets.randbelow(2**31)  # a new draw per click, reproducible from the seed shown
    z = sample(S["ae"], strategy, 16, seed)
    return {grid: grid_html(decode(S["ae"], z), f"{STRATEGIES[strategy]} (seed {seed})", measured("ae", strategy)),
            latent_map: json.dumps({"space": "ae", "codes": z.tolist(), "off": [measure(S["ae"], c).warn for c in z]})}


def on_prior() -> dict:
    """The same 16 codes from N(0, I) through the autoencoder's and the VAE's decoder."""
    seed = secrets.randbelow(2**31)
    z = sample(S["ae"], "normal", 16, seed)
    return {out: grid_html(decode(S[n], z), f"{S[n].title}, N(0, I), seed {seed}", measured(n, "normal"))
            for n, out in (("ae", prior_ae), ("vae", prior_vae))}


def paths_note() -> str:
    """What benchmarks/interpolation.py measured along many paths, as a sentence."""
    if A.paths is None:
        return ""
    ae, vae = A.paths["ae"], A.paths["vae"]
    return render("paths", pairs=A.paths["pairs"], ae_sure=ae["frames_sure"], vae_sure=vae["frames_sure"],
                  ae_red=ae["frames_red"], vae_red=vae["frames_red"])


def on_interpolate(a: int, b: int, payload: str) -> str:
    """Frames on the straight line between two codes, in the AE and the VAE, with the meter along the way.

    The page's drawing (the canvas's value) comes with the click: the server needs it only here, so a stroke
    costs it nothing and no session can see another's drawing.
    """
    try:
        drawing = parse_drawing(payload)
    except ValueError as e:
        raise fail(f"Could not read the drawing: {e}") from None
    if drawing is None and -1 in (a, b):
        return render("message", text="There is no drawing to start from: draw a digit, or pick two test digits.")
    try:
        ends = [drawing_to_input(drawing) if i == -1 else A.examples[i:i + 1, None] / np.float32(255) for i in (a, b)]
        codes = {n: [encode(S[n], e) for e in ends] for n in ("ae", "vae")}
    except ValueError as e:
        raise fail(f"Could not use the drawing: {e}") from None
    strips = ""
    for n in ("ae", "vae"):
        s = S[n]
        frames = interpolate(*codes[n], FRAMES)
        meters = [measure(s, z) for z in frames]
        cells = "".join(cell(f, f"{m.percentile:.0f}%", m.warn) for f, m in zip(decode(s, frames), meters))
        strips += render("strip", title=html.escape(s.title), cells=cells)
    return render("interpolation", strips=strips, paths=paths_note())


def api_encode(image: list[list[float]]) -> list[float]:
    """Encode a 28x28 image (rows of numbers in [0, 1], white ink on black) to the autoencoder's 10-number code."""
    try:
        return encode(S["ae"], check_image(image)).tolist()
    except ValueError as e:
        raise fail(str(e)) from None


def api_decode(code: list[float]) -> dict:
    """Decode any 10-number code (each in [-1000, 1000]) to a 28x28 image in [0, 1], and say how far the code is
    from the data: the distance to the nearest training code, its digit, that distance's percentile among real
    test digits' and whether it is beyond the 99th (the decoder is guessing there)."""
    try:
        z = check_code(code)[0]
    except ValueError as e:
        raise fail(str(e)) from None
    m = measure(S["ae"], z)
    return {"image": decode(S["ae"], z)[0].tolist(), "distance": m.distance, "nearest_digit": m.digit,
            "percentile": m.percentile, "off_the_data": m.warn}


def api_reconstruct(image: list[list[float]]) -> list[list[float]]:
    """Encode a 28x28 image and decode its code: the autoencoder's reconstruction, 28x28 in [0, 1]."""
    try:
        return reconstruct(S["ae"], check_image(image))[1][0].tolist()
    except ValueError as e:
        raise fail(str(e)) from None


def api_prepare(strokes: list[list[list[float]]]) -> list[list[float]]:
    """Prepare a drawing, strokes of [x, y] points (any scale, y down), as MNIST was made: 28x28 in [0, 1]."""
    try:
        x = drawing_to_input(parse_drawing(json.dumps({"strokes": strokes})))
    except ValueError as e:
        raise fail(str(e)) from None
    if x is None:
        raise fail("a drawing needs at least one stroke")
    return x[0, 0].tolist()


with gr.Blocks(title="What does an autoencoder learn?") as demo:
    gr.Markdown((UI / "intro.md").read_text(), elem_id="intro")
    with gr.Row(elem_id="bar"):
        gr.Button("Guided path", size="sm", elem_id="guide-open")  # ui/guide.js, in the page alone
        gr.Button("Presenter view", size="sm", elem_id="present-toggle")  # ui/page.js: ?present, or this
        start_over = gr.Button("Start over", size="sm", elem_id="start-over")
    live_html("network", "network")
    with gr.Row(elem_id="core", equal_height=False):
        canvas = live_html("canvas", "canvas")
        live_html("sliders", "sliders")
        live_html("decoded", "out")
    gr.HTML(render("room", url=html.escape(ROOM), qr=qr_svg(ROOM)) if ROOM else "", elem_id="room")
    live_html("examples", "examples")

    # the story in order: what the network is and does, then sampling and why it fails, then the models built for
    # it, then what was measured of them all, then the code's size and training itself
    gr.Markdown((UI / "explain.md").read_text().format(test_mse=A.summary["test_mse"],
                                                       pca_mse=A.summary["pca_test_mse"],
                                                       epochs=A.summary["recipe"]["epochs"]), elem_id="explain")
    gr.HTML(figure_html(), elem_id="figure")

    gr.Markdown((UI / "lesson.md").read_text(), elem_id="lesson")
    with gr.Row(elem_id="sampling"):
        with gr.Column(scale=1):
            strategy = gr.Radio([(label, key) for key, label in STRATEGIES.items()], value="normal",
                                label="Draw 16 codes for the autoencoder from", elem_id="strategy")
            sample_btn = gr.Button("Sample", variant="primary", elem_id="sample")
            grid = gr.HTML(GRID_EMPTY, elem_id="grid")
        with gr.Column(scale=0, min_width=340):
            latent_map = live_html("latent-map", "latent-map")

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

    gr.Markdown(format_table(A.table["rows"]) if A.table
                else "*Not measured yet: run `python benchmarks/sampling_table.py`.*", elem_id="table")
    gr.Markdown((UI / "table.md").read_text(), elem_id="table-note")

    gr.Markdown((UI / "bottleneck.md").read_text(), elem_id="sizes-intro")
    live_html("bottleneck", "bottleneck")
    gr.Markdown((UI / "planes.md").read_text(), elem_id="planes-intro")
    live_html("planes", "planes")
    gr.Markdown((UI / "replay.md").read_text(), elem_id="replay-intro")
    live_html("replay", "replay")
    live_html("guide", "guide")  # its panel is fixed to the screen's foot; opened by the bar's Guided path

    sample_btn.click(on_sample, strategy, [grid, latent_map], api_name="sample", **BUTTON)
    prior_btn.click(on_prior, None, [prior_ae, prior_vae], api_name="prior", **BUTTON)
    interp_btn.click(on_interpolate, [end_a, end_b, canvas], interp, api_name="interpolate", **BUTTON)
    start_over.click(None, None, [grid, latent_map, prior_ae, prior_vae, interp], js=START_OVER_JS,
                     api_visibility="private")
    for fn, name in ((api_encode, "encode"), (api_decode, "decode"), (api_reconstruct, "reconstruct"),
                     (api_prepare, "prepare")):
        # queued calls (gradio_client, notebooks) run side by side: the handlers are stateless, the sessions shared
        gr.api(fn, api_name=name, concurrency_limit=API_CONCURRENCY)


if __name__ == "__main__":
    for problem in PROBLEMS:
        print(f"warning: {problem}; the page does without it (what it cannot run, the server runs)", flush=True)
    demo.queue(max_size=MAX_QUEUED)  # beyond it a queued call is told the queue is full, not kept waiting
    demo.launch(css_paths=[UI / "app.css"], theme=THEME, js=page_script(),
                **launch_settings(A, PAGE, VERSION, api_inputs(demo)))
