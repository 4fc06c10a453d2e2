"""The route that serves the page's files: only the names it lists, the right types, compressed, cached for long."""
import gzip
import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ae.config import WEIGHTS_DIR
from ae.inference import load_assets
import serve.files
from serve.files import BUNDLE, CACHE, MODULES, UI, asset_route, live_path, page_assets, version_of


@pytest.fixture(scope="module")
def assets():
    return load_assets()


@pytest.fixture(scope="module")
def served(assets):
    table, problems = page_assets(assets)
    assert problems == []
    version = version_of(table)
    return TestClient(Starlette(routes=[asset_route(table, version)])), version, table


def get(client, path: str, encoding: str = "identity"):
    return client.get(path, headers={"Accept-Encoding": encoding})


@pytest.mark.parametrize("name, media", [("bundle.js", "text/javascript"),
                                         ("ae_encoder.onnx", "application/octet-stream"),
                                         ("spaces.json", "application/json"), ("ae_map.png", "image/png"),
                                         ("ort-wasm-simd-threaded.wasm", "application/wasm")])
def test_a_listed_file_is_served_with_its_type_and_long_caching(served, name, media):
    client, version, _ = served
    r = get(client, f"/ui/{version}/{name}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert r.headers["cache-control"] == CACHE and "content-encoding" not in r.headers


def test_the_runtime_goes_out_as_brotli_or_gzip_whichever_the_browser_takes(served):
    client, version, _ = served
    original = hashlib.sha256(get(client, f"/ui/{version}/ort-wasm-simd-threaded.wasm").content).hexdigest()
    sums = dict(line.split("  ")[::-1] for line in (UI / "vendor/onnxruntime-web/SHA256SUMS").read_text().splitlines())
    assert original == sums["package/dist/ort-wasm-simd-threaded.wasm"]  # decompressed for a client that takes neither
    for accept, encoding, size in [("gzip, deflate, br, zstd", "br", 2.4e6), ("gzip, deflate", "gzip", 3.8e6)]:
        r = client.get(f"/ui/{version}/ort-wasm-simd-threaded.wasm", headers={"Accept-Encoding": accept})
        assert r.headers["content-encoding"] == encoding and int(r.headers["content-length"]) < size
        assert hashlib.sha256(r.content).hexdigest() == original  # the client decodes it back to the very same bytes


def test_the_page_code_travels_gzipped(served):
    client, version, _ = served
    r = client.get(f"/ui/{version}/bundle.js", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.content == BUNDLE.read_bytes()


@pytest.mark.parametrize("path", ["app.py", "..%2Fapp.py", "%2e%2e%2fapp.py", "vendor%2Fonnxruntime-web%2FLICENSE",
                                  "ae.safetensors", "classifier.safetensors", "", "ort-wasm-simd-threaded.wasm.gz",
                                  "SHA256SUMS", "store.js%00.png"])
def test_anything_not_listed_is_404(served, path):
    client, version, _ = served
    assert get(client, f"/ui/{version}/{path}").status_code == 404


def test_another_version_is_404(served):
    client, version, _ = served
    assert get(client, "/ui/000000000000/bundle.js").status_code == 404
    assert get(client, f"/ui/{version}/bundle.js").status_code == 200


def test_the_page_code_is_one_current_bundle_and_the_version_follows_the_bytes(served):
    _, version, table = served
    # built from ui/*.js as they are (`npm run build` after changing one), so the page fetches its code once
    assert "bundle.js" in table and not set(MODULES) & set(table), "the modules are served one by one"
    assert "ort.wasm.bundle.min.mjs" not in table, "the runtime's JavaScript served beside the bundle that holds it"
    changed = dict(table)
    changed["bundle.js"] = changed["spaces.json"]
    assert version_of(changed) != version


def test_a_bundle_older_than_the_modules_is_not_served(assets, tmp_path, monkeypatch):
    stale = tmp_path / "bundle.js"
    stale.write_bytes(b"// built from ui/*.js sha256 " + b"0" * 64 + b"\n" + BUNDLE.read_bytes().split(b"\n", 1)[1])
    monkeypatch.setattr(serve.files, "BUNDLE", stale)
    table, problems = page_assets(assets)
    assert "bundle.js" not in table and set(MODULES) <= set(table)  # index.js imports each module itself
    assert "ort.wasm.bundle.min.mjs" in table  # and engine.js the runtime's JavaScript
    assert len(problems) == 1 and "npm run build" in problems[0] and str(stale) in problems[0]


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_corrupt_or_missing_model_file_is_named_and_left_out(assets, tmp_path, damage):
    for pattern in ("*.onnx", "*_replay.safetensors", "*_codes.safetensors", "onnx.json"):  # the page's files
        for f in WEIGHTS_DIR.glob(pattern):
            shutil.copy(f, tmp_path)
    target = tmp_path / "vae_decoder.onnx"
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    else:
        target.unlink()
    table, problems = page_assets(assets, tmp_path)
    assert "vae_decoder.onnx" not in table and "vae_encoder.onnx" in table
    assert len(problems) == 1 and "vae_decoder.onnx" in problems[0] and "train.py --model vae --reuse" in problems[0]
    assert ("missing" if damage == "delete" else "SHA-256") in problems[0]


def test_gzip_copies_decode_to_the_files(served):
    _, _, table = served
    for name in ("spaces.json", "bundle.js", "ae_decoder.onnx"):
        assert gzip.decompress(table[name].encoded["gzip"]) == table[name].body
    assert json.loads(table["spaces.json"].body)["spaces"]["ae"]["files"]["encoder"] == "ae_encoder.onnx"


def test_a_corrupt_runtime_is_named_and_left_out(assets, tmp_path, monkeypatch):
    vendor = tmp_path / "onnxruntime-web"
    shutil.copytree(UI / "vendor" / "onnxruntime-web", vendor)
    (vendor / "ort-wasm-simd-threaded.wasm.br").write_bytes(b"not brotli")
    monkeypatch.setattr("serve.files.VENDOR", vendor)
    table, problems = page_assets(assets)
    assert "ort-wasm-simd-threaded.wasm" not in table and "bundle.js" in table
    assert len(problems) == 1 and "ort-wasm-simd-threaded.wasm.br" in problems[0] and "vendor.mjs" in problems[0]


def test_the_server_says_at_start_which_file_of_the_page_is_wrong(tmp_path):
    from app_server import serve_app
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    (weights / "ae_d4_decoder.onnx").write_bytes(b"\0" * 100)  # run only in the page: left out, the rest serves
    with serve_app(env={"AE_WEIGHTS": str(weights)}) as served:
        page = urllib.request.urlopen(served.url, timeout=10).read().decode()
        version = re.search(r"ui/([0-9a-f]{12})/bundle\.js", page)[1]
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{served.url}ui/{version}/ae_d4_decoder.onnx", timeout=10)
        assert e.value.code == 404
        with urllib.request.urlopen(f"{served.url}ui/{version}/ae_decoder.onnx", timeout=10) as r:
            assert r.status == 200
        log = served.output()
    assert "warning:" in log and "ae_d4_decoder.onnx" in log
    assert "python train.py --model ae --latent-dim 4 --reuse" in log


def test_the_server_says_at_start_that_a_recording_is_of_another_run(tmp_path):
    from app_server import serve_app
    from ae.registry import RECORDINGS
    from ae.store import load_tensors, save_tensors
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    rec = RECORDINGS["vae_d2"]
    t, facts = load_tensors(weights / rec.file, "Replay")
    save_tensors(weights / rec.file, {**t, "recons": t["recons"][::-1]}, kind="Replay", facts=facts)  # ends at step 0
    with serve_app(env={"AE_WEIGHTS": str(weights)}) as served:
        log = served.output()
    line = next(line for line in log.splitlines() if rec.file in line)
    assert line.startswith("warning:") and "another training run" in line and rec.command in line


@pytest.mark.parametrize("name, damage, command", [
    ("ae_decoder.onnx", b"\0" * 100, "--model ae --reuse"),
    ("classifier.onnx", b"not onnx", "--model classifier --reuse"),
    ("vae_encoder.onnx", None, "--model vae --reuse"),
    ("onnx.json", b'{"ae_enc', "git checkout -- weights"),
    ("sampling_table.json", b'{"rows": [{"model": "ae', "python benchmarks/sampling_table.py"),
    ("ae_codes.safetensors", b"\0" * 64, "git checkout -- weights"),
])
def test_a_model_the_server_runs_that_is_missing_or_corrupt_stops_the_start_naming_it(tmp_path, name, damage, command):
    import subprocess
    import sys
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    (weights / name).unlink() if damage is None else (weights / name).write_bytes(damage)
    env = {**__import__("os").environ, "AE_WEIGHTS": str(weights)}
    out = subprocess.run([sys.executable, "app.py"], cwd=UI.parent, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert name in out.stderr and command in out.stderr, out.stderr


def test_an_onnx_file_of_another_model_is_refused(tmp_path):
    """A readable file under the wrong name (the VAE's encoder as the autoencoder's) is caught by its checksum, and one
    that also fools the manifest by its inputs and outputs."""
    from ae.registry import MODELS
    from ae.runtime import MANIFEST, ModelFileError, open_session
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    shutil.copy(weights / "ae_d2_decoder.onnx", weights / "ae_decoder.onnx")
    with pytest.raises(ModelFileError, match="ae_decoder.onnx does not match the SHA-256"):
        open_session(weights, MODELS["ae"], "decoder")
    sums = json.loads((weights / MANIFEST).read_text())
    sums["ae_decoder.onnx"] = hashlib.sha256((weights / "ae_decoder.onnx").read_bytes()).hexdigest()
    (weights / MANIFEST).write_text(json.dumps(sums))
    with pytest.raises(ModelFileError, match="not the ae decoder ae/registry.py describes"):
        open_session(weights, MODELS["ae"], "decoder")


def unreadable(monkeypatch, name: str) -> None:
    """Reading any file called name fails as it would with its permissions at 000 (the tests may run as root)."""
    read = Path.read_bytes

    def read_bytes(self):
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return read(self)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_model_file_is_named_with_its_command(monkeypatch):
    from ae.registry import MODELS
    from ae.runtime import ModelFileError, open_session
    unreadable(monkeypatch, "ae_encoder.onnx")
    with pytest.raises(ModelFileError, match=r"ae_encoder.onnx cannot be read \(Permission denied\): rewrite it with "
                                             r"`python train.py --model ae --reuse`"):
        open_session(WEIGHTS_DIR, MODELS["ae"], "encoder")


@pytest.mark.parametrize("name, command", [("ort-wasm-simd-threaded.wasm.gz", "vendor.mjs"),
                                           ("ae_d4_decoder.onnx", "--model ae --latent-dim 4 --reuse"),
                                           ("ae_figure.png", "train.py")])
def test_an_unreadable_file_of_the_page_is_named_and_left_out(assets, monkeypatch, name, command):
    unreadable(monkeypatch, name)
    table, problems = page_assets(assets)
    assert "bundle.js" in table and name.removesuffix(".gz") not in table
    assert len(problems) == 1 and name in problems[0] and "cannot be read" in problems[0] and command in problems[0]


@pytest.mark.parametrize("name, damage", [("bottleneck.json", b"{not json"), ("bottleneck.json", b"[]"),
                                          ("ae_d2_codes.safetensors", b"\0" * 64)], ids=["not-json", "list", "codes"])
def test_a_broken_file_of_the_code_size_section_is_named_and_left_out(tmp_path, name, damage):
    from ae.page import bottleneck_files
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    (weights / name).write_bytes(damage)
    files, _, problems = bottleneck_files(weights)
    info = json.loads(files["bottleneck.json"])
    assert len(problems) == 1 and name in problems[0], problems
    assert ("python benchmarks/bottleneck.py" if name == "bottleneck.json" else "--latent-dim 2 --reuse") in problems[0]
    if name == "bottleneck.json":
        assert "measured" not in info and "bottleneck.svg" not in files and "ae" in info["planes"]
    else:
        assert "ae" not in info["planes"] and "ae_d2_plane.png" not in files and "vae" in info["planes"]


@pytest.mark.parametrize("swap, named", [
    (("vae_codes.safetensors", "ae_codes.safetensors"), "ae_codes.safetensors holds another model's codes"),
    (("vae_samplers.safetensors", "ae_samplers.safetensors"), "ae_samplers.safetensors was fitted to other codes"),
    (("pca_codes.safetensors", "vae_codes.safetensors"), "vae_codes.safetensors holds another model's codes"),
])
def test_a_codes_or_samplers_file_of_another_model_stops_the_start(tmp_path, swap, named):
    from ae.store import WeightsError
    weights = tmp_path / "weights"
    shutil.copytree(WEIGHTS_DIR, weights)
    shutil.copy(weights / swap[0], weights / swap[1])
    with pytest.raises(WeightsError, match=named) as e:
        load_assets(weights)
    assert "--reuse" in str(e.value)


def test_the_live_path_holds_the_sliders_first_space_and_no_other(served, assets):
    _, version, table = served
    data = json.loads(table["spaces.json"].body)
    names = {url.removeprefix(f"ui/{version}/") for url, _ in live_path(table, assets, version)}
    first = data["spaces"][data["space"]]["files"]
    assert {first["encoder_layers"], first["decoder_layers"], "spaces.json", "bundle.js"} <= names
    assert first["meter"] not in names, "the meter, fetched as the sliders first decode, announced before live"
    assert first["encoder"] not in names, "the plain export announced beside the layer export that replaces it"
    others = {f for name, s in data["spaces"].items() if name != data["space"] for f in s["files"].values()}
    assert others and names.isdisjoint(others), names & others
