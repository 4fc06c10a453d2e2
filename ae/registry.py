"""Every model the project trains and serves, described once: what it is, how it trains, the files it writes.

train.py, the exports, the server, the page's asset table, the benchmarks and the tests read this table; adding a
model (say another 2-D autoencoder) is one more entry in MODELS.
"""
from dataclasses import dataclass

from ae.config import IMAGE_SIZE, LATENT_DIM

JUDGE_FEATURES = 128  # the judge's penultimate layer, the feature space its metrics compare in


@dataclass(frozen=True)
class Spec:
    """One trained model and everything derived from it; files are weights/<name><suffix>."""
    name: str  # file stem in weights/: "ae", "vae_d2", "classifier", ...
    kind: str  # its class in ae.model.MODELS
    title: str  # how the page names it
    family: str  # train.py --model: "ae", "vae" or "classifier"; PCA is fitted with the ae
    latent_dim: int | None  # numbers in the code; None for the judge
    loss: str
    epochs: int
    batch_size: int
    lr: float
    on_sliders: bool = False  # the page's ten sliders can drive its decoder; its codes, samplers and meter ship
    on_plane: bool = False  # a 2-D model whose test codes the page draws as a plane
    in_sizes: bool = False  # one of the autoencoders compared by code size
    half: bool = False  # its ONNX files keep float16 weights (half the download; the page's code-size section)

    @property
    def weights(self) -> str:
        return f"{self.name}.safetensors"

    @property
    def onnx(self) -> dict[str, str]:
        """The ONNX files exported from it, by part."""
        if self.kind == "Classifier":
            return {"judge": f"{self.name}.onnx"}
        return {part: f"{self.name}_{part}.onnx" for part in ("encoder", "decoder")}

    def signature(self, part: str) -> tuple[dict[str, tuple], dict[str, tuple]]:
        """What the ONNX file of a part takes and gives: {name: shape} each, "batch" for the free batch size."""
        image = ("batch", 1, IMAGE_SIZE, IMAGE_SIZE)
        code = ("batch", self.latent_dim)
        return {"encoder": ({"x": image}, {"z": code}), "decoder": ({"z": code}, {"image": image}),
                "judge": ({"x": image}, {"features": ("batch", JUDGE_FEATURES), "logits": ("batch", 10)})}[part]

    @property
    def rebuild(self) -> str:
        """The command that rewrites this model's derived files from its weights."""
        size = "" if self.latent_dim in (None, LATENT_DIM) else f" --latent-dim {self.latent_dim}"
        return f"python train.py --model {self.family}{size} --reuse"

    @property
    def retrain(self) -> str:
        """The command that trains it again."""
        return self.rebuild.removesuffix(" --reuse")

    def constructor(self) -> dict:
        """Keyword arguments of its class, as a checkpoint stores them."""
        return {} if self.latent_dim is None else {"latent_dim": self.latent_dim}


def _autoencoder(d: int, **roles) -> Spec:
    return Spec("ae" if d == LATENT_DIM else f"ae_d{d}", "Autoencoder", "autoencoder", "ae", d, "per-pixel MSE",
                epochs=20, batch_size=64, lr=1e-3, in_sizes=True, half=d != LATENT_DIM, **roles)


def _vae(d: int, **roles) -> Spec:
    return Spec("vae" if d == LATENT_DIM else f"vae_d{d}", "VAE", "VAE", "vae", d,
                "negative ELBO: summed BCE + KL to N(0, I)", epochs=20, batch_size=128, lr=1e-3, half=d != LATENT_DIM,
                **roles)


MODELS: dict[str, Spec] = {s.name: s for s in [
    _autoencoder(LATENT_DIM, on_sliders=True),
    _vae(LATENT_DIM, on_sliders=True),
    Spec("pca", "PCA", "PCA", "ae", LATENT_DIM, "top principal axes", epochs=0, batch_size=0, lr=0.0, on_sliders=True),
    _autoencoder(2, on_plane=True),
    _autoencoder(4),
    _autoencoder(16),
    _autoencoder(32),
    _vae(2, on_plane=True),
    Spec("classifier", "Classifier", "judge", "classifier", None, "cross-entropy", epochs=5, batch_size=128, lr=3e-3),
]}
SLIDERS = [s for s in MODELS.values() if s.on_sliders]  # "ae", "vae", "pca": the page's three latent spaces
SIZES = sorted((s for s in MODELS.values() if s.in_sizes), key=lambda s: s.latent_dim)
PLANES = [s for s in MODELS.values() if s.on_plane]
JUDGE = MODELS["classifier"]


def spec_for(family: str, latent_dim: int = LATENT_DIM) -> Spec:
    """What train.py trains for --model family --latent-dim d: the entry above, or for a size nobody ships (an
    experiment) the same recipe under the same naming."""
    for s in MODELS.values():
        if s.family == family and s.kind != "PCA" and (family == "classifier" or s.latent_dim == latent_dim):
            return s
    return (_autoencoder if family == "ae" else _vae)(latent_dim)


@dataclass(frozen=True)
class Recording:
    """A training run of one of the models above, recorded for the page's replay (train.py --record): its points in
    weights/<name>_replay.safetensors, the decoders kept at some of them in weights/<name>_replay_<point>.onnx."""
    name: str  # file stem: "ae_d2", or "ae_d2_zero_bias" for a run that is replayed, not shipped
    spec: Spec  # the model trained
    title: str  # how the player names the run
    decoders: int  # recorded points that keep the decoder (float16 ONNX), the last one included
    codes: bool = True  # it keeps the planes' codes (the run's plane is drawn)
    zero_bias: bool = False  # the decoder's output bias starts at 0, the recipe before the fix (ae/model.py)
    seed: int = 0
    epochs: int | None = None  # fewer than its model's recipe, for a run that only shows where it stays

    @property
    def file(self) -> str:
        return f"{self.name}_replay.safetensors"

    def decoder_file(self, point: int) -> str:
        return f"{self.name}_replay_{point}.onnx"

    @property
    def command(self) -> str:
        """The command that records it (a zero-bias run writes only its recording)."""
        seed = f" --seed {self.seed}" if self.seed else ""
        epochs = f" --epochs {self.epochs}" if self.epochs else ""
        return f"{self.spec.retrain} --record{seed}{epochs}" + (" --zero-output-bias" if self.zero_bias else "")


RECORDINGS: dict[str, Recording] = {r.name: r for r in [
    Recording("ae_d2", MODELS["ae_d2"], "autoencoder", decoders=8),
    Recording("vae_d2", MODELS["vae_d2"], "VAE", decoders=8),
    # seed 0 escapes the plateau at two numbers even with a zero bias; seeds 1 and 2 sit on it (test MSE 0.104)
    Recording("ae_d2_zero_bias", MODELS["ae_d2"], "autoencoder, output bias started at 0", decoders=0, codes=False,
              zero_bias=True, seed=1, epochs=4),
]}
