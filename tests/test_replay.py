"""The training replay's files (ae/page.py replay_files): each recording packed as it was recorded, each recording of a
shipped model ending at that model (torch the reference), and a missing, corrupt or foreign recording named with the
command that records it while the other runs are still replayed."""
import json
import shutil

import numpy as np
import onnxruntime as ort
import pytest
import torch

from ae.config import REPLAY_DIGITS, WEIGHTS_DIR
from ae.data import load_mnist, to_float
from ae.model import load_model
from ae.page import replay_files
from ae.registry import RECORDINGS
from ae.replay import to_pixels
from ae.store import load_tensors, save_tensors
from train import first_of_each_digit

FRAME = 10 * 28 * 28  # bytes of one point's ten reconstructions
SHIPPED = [r.name for r in RECORDINGS.values() if not r.zero_bias]


@pytest.fixture(scope="module")
def examples():
    return load_tensors(WEIGHTS_DIR / "examples.safetensors", "Examples")[0]["images"]  # (10, 28, 28) uint8


@pytest.fixture(scope="module")
def replay(examples):
    files, problems = replay_files(WEIGHTS_DIR, examples)
    return files, json.loads(files["replay.json"]), problems


@pytest.fixture(scope="module")
def test_digits():
    data = load_mnist()
    return data.test_images, data.test_labels


def test_every_recorded_run_is_shipped_and_readable(replay):
    _, info, problems = replay
    assert problems == [] and info["problems"] == []
    assert list(info["runs"]) == list(RECORDINGS)


def test_each_runs_pack_holds_its_recording_as_recorded(replay):
    files, info, _ = replay
    for name, run in info["runs"].items():
        rec = RECORDINGS[name]
        t, _ = load_tensors(WEIGHTS_DIR / rec.file, "Replay")
        points = len(t["steps"])
        assert run["steps"] == t["steps"].tolist() and run["epochs"] == t["epochs"].tolist()
        pack = files[run["pack"]]
        assert len(pack) == points * FRAME + (points * REPLAY_DIGITS * 2 * 2 if rec.codes else 0)
        np.testing.assert_array_equal(np.frombuffer(pack[:points * FRAME], np.uint8).reshape(t["recons"].shape),
                                      t["recons"])
        if rec.codes:
            codes = np.frombuffer(pack[points * FRAME:], "<f2").reshape(points, REPLAY_DIGITS, 2)
            np.testing.assert_array_equal(codes, t["codes"])
            x0, x1, y0, y1 = run["extent"]
            inside = (codes[..., 0] >= x0) & (codes[..., 0] <= x1) & (codes[..., 1] >= y0) & (codes[..., 1] <= y1)
            assert inside.mean(axis=1).min() >= 0.99  # every point's plane shows nearly all its codes
        assert len(run["decoders"]) == rec.decoders and all(f in files for f in run["decoders"].values())


def test_the_planes_are_coloured_by_the_digits_they_show(replay, test_digits):
    _, info, _ = replay
    assert info["labels"] == "".join(str(int(d)) for d in test_digits[1][:REPLAY_DIGITS])


@pytest.mark.parametrize("name", SHIPPED)
def test_a_recording_ends_at_the_shipped_model(replay, test_digits, name):
    files, info, _ = replay
    rec = RECORDINGS[name]
    t, _ = load_tensors(WEIGHTS_DIR / rec.file, "Replay")
    model, _ = load_model(WEIGHTS_DIR / rec.spec.weights)
    images, labels = test_digits
    x = to_float(images[:REPLAY_DIGITS])  # (N, 1, 28, 28)
    seed = to_float(images[first_of_each_digit(labels)])  # (10, 1, 28, 28)
    with torch.no_grad():
        codes = model.encode(x).numpy()  # (N, k)
        recons = to_pixels(model(seed)).numpy()  # (10, 28, 28)
    assert np.abs(t["recons"][-1].astype(int) - recons).max() <= 1
    assert t["test_mse"][-1] == pytest.approx(float(((model(x) - x) ** 2).mean()), rel=1e-4)
    if not rec.codes:  # a run without a plane keeps neither codes nor decoders
        return
    np.testing.assert_allclose(t["codes"][-1].astype(np.float32), codes, rtol=1e-3, atol=1e-3)  # float16 apart
    last = info["runs"][name]["decoders"][str(len(t["steps"]) - 1)]
    assert last == rec.spec.onnx["decoder"]  # the page decodes the last point with the shipped decoder itself
    session = ort.InferenceSession(files[last])
    out = session.run(None, {"z": codes[:64]})[0]  # (64, 1, 28, 28)
    with torch.no_grad():
        np.testing.assert_allclose(out, model.decode(torch.from_numpy(codes[:64])).numpy(), atol=1e-2)


def copy_weights(tmp_path):
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    return weights


@pytest.mark.parametrize("damage", ["delete", "truncate", "other-run"])
def test_a_broken_recording_is_named_with_its_command_and_the_rest_replays(tmp_path, examples, damage):
    weights = copy_weights(tmp_path)
    rec = RECORDINGS["ae_d2"]
    path = weights / rec.file
    t, facts = load_tensors(path, "Replay")
    if damage == "delete":
        path.unlink()
    elif damage == "truncate":
        path.write_bytes(path.read_bytes()[:5000])
    else:  # a recording of another run: its own checksum is right, its last point is not the shipped model
        save_tensors(path, {**t, "recons": t["recons"][[*range(len(t["recons"]) - 1), 0]]}, kind="Replay", facts=facts)
    files, problems = replay_files(weights, examples)
    info = json.loads(files["replay.json"])
    assert "ae_d2" not in info["runs"] and "ae_d2_replay.bin" not in files
    assert list(info["runs"]) == [n for n in RECORDINGS if n != "ae_d2"]
    assert len(problems) == 1 and info["problems"] == problems
    assert rec.file in problems[0] and rec.command in problems[0]
    said = {"delete": "missing", "truncate": "not a readable", "other-run": "another training run"}[damage]
    assert said in problems[0]


def test_a_broken_recorded_decoder_is_named_and_its_run_decodes_with_the_others(tmp_path, examples):
    weights = copy_weights(tmp_path)
    _, facts = load_tensors(weights / RECORDINGS["vae_d2"].file, "Replay")
    name = sorted(facts["decoders"].values())[1]
    (weights / name).write_bytes(b"\0" * 100)
    files, problems = replay_files(weights, examples)
    run = json.loads(files["replay.json"])["runs"]["vae_d2"]
    assert name not in files and name not in run["decoders"].values()
    assert len(run["decoders"]) == RECORDINGS["vae_d2"].decoders - 1
    assert len(problems) == 1 and name in problems[0] and RECORDINGS["vae_d2"].command in problems[0]
