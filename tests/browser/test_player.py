"""The training replay (#replay): its files load when it is scrolled to; at the last point its planes are the shipped
models' codes (torch's); every recorded decoder decodes in the page as torch did at its point; space plays and pauses
and the arrows step; pointing at a plane decodes with the nearest recorded decoder; a recording that fails is named
with its command, and the rest plays."""
import io
import json

import numpy as np
import torch
from PIL import Image
from playwright.sync_api import Page

from ae.config import REPLAY_DIGITS, WEIGHTS_DIR
from ae.data import load_mnist, to_float
from ae.model import load_model
from ae.registry import RECORDINGS
from ae.store import load_tensors
from conftest import SCREENSHOTS
from recording import ENTRY_URL, open_app
from train import first_of_each_digit

READY = "#replay .ae-replay-scrub:not([disabled])"
# each plane as painted: its run's codes (values), its point, and the canvas's pixels (RGBA, row-major)
READ_PLANES = """() => [...document.querySelectorAll('#replay .ae-replay-plane')].map((c) => ({
  values: Array.from(c.values), point: Number(c.dataset.point), width: c.width,
  rgba: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) }))"""
# each run's row of ten digits as painted (red channel, row-major), the seed's own row left out
READ_ROWS = """() => [...document.querySelectorAll('#replay .ae-replay-row canvas')].slice(1).map((c) =>
  Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0)))"""
# the page's own engine (the module instance the page runs): decode each code with one recorded decoder file
DECODE_JS = f"""async ([file, codes]) => {{
  const {{ decodeWith }} = (await import({ENTRY_URL})).modules['engine.js'];
  const out = [];
  for (const z of codes) out.push(Array.from(await decodeWith({{ decoder: file }}, z)));
  return out;
}}"""


def open_player(page: Page) -> dict:
    """Scroll to the replay, wait for its player; replay.json as the page has it."""
    page.locator("#replay").scroll_into_view_if_needed()
    page.wait_for_selector(READY, timeout=30_000)
    return page.evaluate("() => fetch(performance.getEntriesByType('resource').map((e) => e.name)"
                         ".find((n) => n.endsWith('/replay.json'))).then((r) => r.json())")


def at_point(page: Page) -> int:
    return int(page.input_value("#replay .ae-replay-scrub"))


def test_the_replays_files_load_only_when_it_is_scrolled_to(page, app_url):
    asked = []
    page.on("request", lambda r: "replay" in r.url and not r.url.endswith(".js")  # its modules are the page's
            and asked.append(r.url.rsplit("/", 1)[-1]))
    open_app(page, app_url)
    page.wait_for_timeout(1000)
    assert asked == [], "the replay loaded before it was scrolled to"
    open_player(page)
    assert "replay.json" in asked and {f"{n}_replay.bin" for n in RECORDINGS} <= set(asked)


def test_scrubbing_to_the_last_point_shows_the_shipped_models_codes(app_page):
    page = app_page
    open_player(page)
    page.focus("#replay .ae-replay-scrub")
    page.keyboard.press("End")
    planes = page.evaluate(READ_PLANES)
    runs = [r for r in RECORDINGS.values() if r.codes]
    assert len(planes) == len(runs)
    x = to_float(load_mnist().test_images[:REPLAY_DIGITS])  # (N, 1, 28, 28)
    info = open_player(page)
    for rec, plane in zip(runs, planes):
        model, _ = load_model(WEIGHTS_DIR / rec.spec.weights)
        with torch.no_grad():
            shipped = model.encode(x).numpy()  # (N, 2)
        assert plane["point"] == len(info["runs"][rec.name]["steps"]) - 1
        shown = np.array(plane["values"], dtype=np.float32).reshape(-1, 2)
        np.testing.assert_allclose(shown, shipped, rtol=1e-3, atol=1e-3)  # float16 apart
        x0, x1, y0, y1 = info["runs"][rec.name]["extent"]  # every code is painted where it lies: no white there
        w = plane["width"]
        px = np.clip(((shipped[:, 0] - x0) / (x1 - x0) * w).astype(int), 0, w - 1)
        py = np.clip(((1 - (shipped[:, 1] - y0) / (y1 - y0)) * w).astype(int), 0, w - 1)
        rgba = np.array(plane["rgba"], dtype=np.uint8).reshape(w, w, 4)
        assert (rgba[py, px, :3].min(axis=1) < 250).all(), rec.name


def test_every_recorded_decoder_decodes_in_the_page_as_torch_did_at_its_point(app_page):
    page = app_page
    info = open_player(page)
    seed = first_of_each_digit(load_mnist().test_labels).numpy()  # the ten digits, all among the replay's digits
    assert seed.max() < REPLAY_DIGITS
    checked = 0
    for rec in RECORDINGS.values():
        if not rec.decoders:
            continue
        t, _ = load_tensors(WEIGHTS_DIR / rec.file, "Replay")
        for point, file in info["runs"][rec.name]["decoders"].items():
            codes = t["codes"][int(point)][seed].astype(np.float32)  # (10, 2): the seed digits' codes then
            got = np.array(page.evaluate(DECODE_JS, [file, codes.tolist()])).reshape(10, 28, 28)
            torch_then = t["recons"][int(point)] / 255  # (10, 28, 28): torch's reconstructions at that step
            assert np.abs(got - torch_then).max() <= 0.03, f"{file} at point {point}"
            checked += 1
    assert checked == sum(r.decoders for r in RECORDINGS.values())


def test_space_plays_and_pauses_and_the_arrows_step(app_page):
    page = app_page
    info = open_player(page)
    page.focus("#replay .ae-replay")
    for key, expected in (("ArrowRight", 1), ("ArrowRight", 2), ("ArrowLeft", 1)):
        page.keyboard.press(key)
        assert at_point(page) == expected
    last = len(info["runs"]["ae_d2"]["steps"])
    assert page.text_content("#replay .ae-replay-when").startswith(f"point 2 of {last}:")
    page.select_option("#replay .ae-replay-speed", "5")
    page.focus("#replay .ae-replay")
    page.keyboard.press(" ")
    page.wait_for_timeout(1000)
    page.keyboard.press(" ")
    paused = at_point(page)
    assert paused > 2, "space did not play"
    page.wait_for_timeout(600)
    assert at_point(page) == paused, "space did not pause"
    assert page.get_attribute("#replay .ae-replay-play", "aria-label") == "play"


def test_pointing_at_a_plane_decodes_with_the_nearest_recorded_decoder(app_page):
    page = app_page
    info = open_player(page)
    run = info["runs"]["ae_d2"]
    kept = sorted(int(p) for p in run["decoders"])
    point = kept[2] + 1  # just after a kept decoder: that one is the nearest
    page.focus("#replay .ae-replay")
    for _ in range(point):
        page.keyboard.press("ArrowRight")
    plane = page.locator("#replay .ae-plane").first
    box = plane.locator("canvas").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    figure = plane.locator("figure")
    page.wait_for_selector("#replay .ae-plane figure:not(.empty)", timeout=30_000)
    step = f"{run['steps'][kept[2]]:,}"
    assert f"by the decoder of epoch {run['epochs'][kept[2]]:.2f}, step {step}" in figure.text_content()


def test_a_recording_the_server_left_out_is_named_with_its_command_and_the_rest_plays(page, app_url, draw):
    def without_ae(route):
        info = json.loads(route.fetch().body())
        del info["runs"]["ae_d2"]
        command = RECORDINGS["ae_d2"].command
        info["problems"] = [f"weights/ae_d2_replay.safetensors is missing: record it with `{command}`"]
        route.fulfill(json=info)
    page.route("**/replay.json", without_ae)
    open_app(page, app_url)
    open_player(page)
    problem = page.text_content("#replay .ae-problem")
    assert "ae_d2_replay.safetensors" in problem and RECORDINGS["ae_d2"].command in problem
    assert page.locator("#replay .ae-replay-plane").count() == 1  # the VAE's plane still plays
    page.locator("#canvas").scroll_into_view_if_needed()
    draw("#canvas .ae-draw", [(0.5, 0.15), (0.5, 0.85)])
    page.wait_for_selector("#reconstruction:not(.empty)", timeout=30_000)


def test_a_pack_that_fails_to_load_is_named_and_the_other_runs_play(page, app_url):
    page.route("**/vae_d2_replay.bin", lambda route: route.fulfill(status=404))
    open_app(page, app_url)
    open_player(page)
    assert "vae_d2_replay.bin did not load" in page.text_content("#replay .ae-problem")
    assert page.locator("#replay .ae-replay-plane").count() == 1
    page.focus("#replay .ae-replay")
    page.keyboard.press("ArrowRight")
    assert at_point(page) == 1


def test_each_frame_paints_every_runs_digits_as_recorded(app_page):
    """Scrubbed to the first, middle and last points: each row of digits is that point's recorded reconstructions,
    pixel for pixel; the three frames side by side are the README's figure (artifacts/screenshots/replay-frames.png)."""
    page = app_page
    info = open_player(page)
    last = len(info["runs"]["ae_d2"]["steps"]) - 1
    recorded = {r.name: load_tensors(WEIGHTS_DIR / r.file, "Replay")[0]["recons"] for r in RECORDINGS.values()}
    page.focus("#replay .ae-replay-scrub")
    page.keyboard.press("Home")
    frames = []
    for target in (0, last // 2, last):
        while at_point(page) < target:
            page.keyboard.press("ArrowRight")
        rows = page.evaluate(READ_ROWS)
        for name, row in zip(info["runs"], rows):
            run = info["runs"][name]
            epoch = info["runs"]["ae_d2"]["epochs"][target]
            point = int(np.argmin(np.abs(np.log((np.array(run["epochs"]) + 1e-3) / (epoch + 1e-3)))))
            want = recorded[name][point].transpose(1, 0, 2).reshape(28, 280)  # (10, 28, 28) -> one row of ten
            assert np.array_equal(np.array(row).reshape(28, 280), want), f"{name} at point {target}"
        frames.append(page.locator("#replay .ae-replay-body").screenshot())
    save_side_by_side(frames, SCREENSHOTS / "replay-frames.png")


def save_side_by_side(pngs: list[bytes], path) -> None:
    """Screenshots stacked top to bottom, at half size, as one PNG."""
    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pngs]
    images = [im.resize((im.width // 2, im.height // 2), Image.LANCZOS) for im in images]
    out = Image.new("RGB", (max(im.width for im in images), sum(im.height for im in images) + 8 * len(images)), "white")
    y = 0
    for im in images:
        out.paste(im, (0, y))
        y += im.height + 8
    path.parent.mkdir(parents=True, exist_ok=True)
    out.save(path)
