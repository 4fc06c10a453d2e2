"""The shipped weights: they load, and they do what their summaries say."""
import json

import pytest
import torch.nn.functional as F

from ae.config import WEIGHTS_DIR
from ae.registry import SIZES, spec_for
from ae.data import to_float
from ae.model import load_model


def summary(name: str) -> dict:
    return json.loads((WEIGHTS_DIR / f"{name}.json").read_text())


def full_test_mse(model, x) -> float:
    return sum(F.mse_loss(model(x[i:i + 2000]).clamp(0, 1), x[i:i + 2000], reduction="sum").item()
               for i in range(0, len(x), 2000)) / x.numel()


@pytest.fixture(scope="module")
def x_test(mnist):
    return to_float(mnist.test_images)  # (10000, 1, 28, 28)


def test_shipped_autoencoder_matches_its_summary(x_test):
    model, facts = load_model(WEIGHTS_DIR / "ae.safetensors", "Autoencoder")
    s = summary("ae")
    assert s["recipe"]["epochs"] == 20 and s["recipe"]["train_images"] == 60000
    mse = full_test_mse(model, x_test)
    assert mse == pytest.approx(s["test_mse"], rel=1e-4) and facts["test_mse"] == s["test_mse"]
    assert mse <= 0.0120  # the seed recipe's target
    assert mse < s["pca_test_mse"] / 2 < s["history"][0]["test_mse"]  # far better than linear, far from untrained
    assert len(s["history"]) == 21 and s["history"][-1]["test_mse"] == s["test_mse"]


def test_shipped_vae_and_pca_match_their_summaries(x_test):
    vae, _ = load_model(WEIGHTS_DIR / "vae.safetensors", "VAE")
    assert full_test_mse(vae, x_test) == pytest.approx(summary("vae")["test_mse"], rel=1e-4)
    pca, facts = load_model(WEIGHTS_DIR / "pca.safetensors", "PCA")
    assert facts["test_mse"] == pytest.approx(summary("ae")["pca_test_mse"])
    assert full_test_mse(pca, x_test) <= facts["test_mse"]  # clamping to [0, 1] can only help
    assert summary("ae")["test_mse"] < summary("ae")["pca_test_mse"]  # the non-linear code beats the linear one


def test_measured_table_shows_the_lesson():
    table = json.loads((WEIGHTS_DIR / "sampling_table.json").read_text())
    rows = {(r["model"], r["source"]): r for r in table["rows"]}
    assert table["n"] == 10000
    ae_prior, vae_prior, gmm = rows["ae", "normal"], rows["vae", "normal"], rows["ae", "gmm"]
    real = rows["data", "test"]
    # N(0, I) through the autoencoder: clearly worse than real digits; the VAE's prior: clearly better than that
    assert ae_prior["confident_share"] < real["confident_share"] - 0.3 and \
        ae_prior["frechet"] > 10 * rows["data", "train"]["frechet"]
    assert vae_prior["confident_share"] > ae_prior["confident_share"] + 0.2 and \
        vae_prior["frechet"] < ae_prior["frechet"] / 2
    # the mixture fitted to the codes lies in between N(0, I) and the real digits
    assert ae_prior["frechet"] > gmm["frechet"] > real["frechet"]
    assert ae_prior["confident_share"] < gmm["confident_share"] < real["confident_share"]
    # what ui/table.md says: among real digits, density and coverage order N(0, I) through the AE below the VAE's
    # prior and the mixture, and the mixture lands among real digits about as often as real training digits do
    floor = rows["data", "train"]
    for key in ("realistic_share", "density", "coverage"):
        assert ae_prior[key] < vae_prior[key] < gmm[key], key
    assert ae_prior["realistic_share"] < 0.01 and abs(gmm["realistic_share"] - floor["realistic_share"]) < 0.05
    # ... and precision alone does not: the AE's N(0, I) blurs land in the wide balls of unusual real digits
    assert vae_prior["precision"] < ae_prior["precision"] < gmm["precision"]
    assert real["precision"] == real["recall"] == 1.0  # the reference against itself


# the code sizes' autoencoders and the 2-D VAE: test MSE within 15% of what the recipe reached when it was set
SHIPPED = {("ae", 2): 0.0389, ("ae", 4): 0.0270, ("ae", 16): 0.0067, ("ae", 32): 0.0033, ("vae", 2): 0.0395}


@pytest.mark.parametrize("model, d", SHIPPED)
def test_each_code_size_is_shipped_small_and_reconstructs_as_measured(x_test, model, d):
    spec = spec_for(model, d)
    net, facts = load_model(WEIGHTS_DIR / spec.weights, spec.kind)
    assert facts["latent_dim"] == d and net.decoder[0].in_features == d
    mse = full_test_mse(net, x_test)
    assert abs(mse - SHIPPED[model, d]) <= 0.15 * SHIPPED[model, d], f"{model} d={d}: test MSE {mse:.4f}"
    assert mse == pytest.approx(facts["test_mse"], rel=1e-4)
    for f in WEIGHTS_DIR.glob(f"{spec.name}[._]*"):
        assert f.stat().st_size < 1_000_000, f"{f.name} is {f.stat().st_size} bytes"


def test_the_bottleneck_figures_are_measured_for_every_size():
    measured = json.loads((WEIGHTS_DIR / "bottleneck.json").read_text())
    assert [r["d"] for r in measured["ae"]] == [s.latent_dim for s in SIZES] == [r["d"] for r in measured["pca"]]
    assert [r["d"] for r in measured["vae"]] == [2, 10]
    mse = [r["test_mse"] for r in measured["ae"]]
    assert mse == sorted(mse, reverse=True), "a bigger code should reconstruct better"
    assert all(a["test_mse"] < p["test_mse"] for a, p in zip(measured["ae"], measured["pca"]))
    # what ui/bottleneck.md says: N(0, I) codes land among the training codes almost always at 2, rarely from 10 on
    off = {r["d"]: r["normal_off"] for r in measured["ae"]}
    assert list(off.values()) == sorted(off.values()), "a bigger code should leave more of N(0, I) off the data"
    assert off[2] < 0.1 and off[10] > 0.9 and off[16] > 0.99, off
    vae_off = {r["d"]: r["normal_off"] for r in measured["vae"]}
    assert vae_off[10] < 0.3, vae_off  # the VAE's prior still lands on its codes at ten numbers, three times in four
    # "the bigger the code, the emptier the space between codes": the decoded samples' precision falls with every
    # doubling, and from ten numbers on almost none land among real digits; the VAE's prior does better at ten
    precision = [r["normal_precision"] for r in measured["ae"]]
    assert precision == sorted(precision, reverse=True) and precision[0] - precision[-1] > 0.3, precision
    real = {r["d"]: r["normal_realistic_share"] for r in measured["ae"]}
    assert list(real.values()) == sorted(real.values(), reverse=True) and real[10] < 0.01 < real[2], real
    vae10 = next(r for r in measured["vae"] if r["d"] == 10)
    ae10 = next(r for r in measured["ae"] if r["d"] == 10)
    assert vae10["normal_realistic_share"] > real[10] and vae10["normal_coverage"] > 2 * ae10["normal_coverage"]


def test_the_lesson_is_measured_on_several_training_seeds():
    seeds = json.loads((WEIGHTS_DIR / "seeds.json").read_text())

    def per_seed(key: str) -> dict:
        return {(row["model"], row["source"]): [r["rows"][row["source"]][key] for r in seeds["runs"]
                                                if r["model"] == row["model"]] for row in seeds["lesson"]}

    real, coverage = per_seed("realistic_share"), per_seed("coverage")
    assert all(len(v) >= 3 for v in real.values()), real
    assert all(r["test_mse"] < 0.02 for r in seeds["runs"]), "every seed trained well off the plateau"
    # the lesson holds on every seed: N(0, I) through the AE lands among real digits less often than the VAE's prior
    # and the mixture fitted to the codes, and covers fewer real digits
    for other in (("vae", "normal"), ("ae", "gmm")):
        assert max(real["ae", "normal"]) < min(real[other]), (other, real)
        assert max(coverage["ae", "normal"]) < min(coverage[other]), (other, coverage)
