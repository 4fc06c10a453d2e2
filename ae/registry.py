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
    half: bool = False  # its ONNX files keep float16 weights: half the download; pixels within 2.1e-3 of float32's
    layers: bool = False  # it also exports its encoder and decoder giving every layer's activations (the network)

    @property
    def weights(self) -> str:
        return f"{self.name}.safetensors"

    @property
    def onnx(self) -> dict[str, str]:
        """The ONNX files exported from it, by part."""
        if self.kind == "Classifier":
            return {"judge": f"{self.name}.onnx"}
        return {part: f"{self.name}_{part}.onnx" for part in ("encoder", "decoder")}

    @property
    def layer_onnx(self) -> dict[str, str]:
        """The exports the page's network runs, by part: the same weights as onnx, each layer's activations too.
        The server does without them; the page runs them in place of the plain encoder and decoder."""
        return {f"{part}_layers": f"{self.name}_{part}_layers.onnx" for part in ("encoder", "decoder")} if self.layers \
            else {}

    @property
    def page_onnx(self) -> dict[str, str]:
        """Every ONNX file of it the page may load, by part."""
        return {**self.onnx, **self.layer_onnx}

    def signature(self, part: str) -> tuple[dict[str, tuple], dict[str, tuple]]:
        """What the ONNX file of a part takes and gives: {name: shape} each, "batch" for the free batch size."""
        image = ("batch", 1, IMAGE_SIZE, IMAGE_SIZE)
        code = ("batch", self.latent_dim)
        if part.endswith("_layers"):  # the plain part's output first, then each layer's, in order
            inputs, outputs = self.signature(part.removesuffix("_layers"))
            return inputs, {**outputs, **{n.name: ("batch", *n.shape) for n in NETWORK if n.part + "_layers" == part}}
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


@dataclass(frozen=True)
class Layer:
    """One layer of the autoencoder (ae/model.py) as the page's network draws it: its activations are output `name`
    of the part's layer export, taken after module `after` of that part's nn.Sequential (its ReLU)."""
    name: str  # output name in the layer export
    part: str  # "encoder" or "decoder"
    after: int  # index in make_encoder / make_decoder of the module whose output it is
    module: str  # the layer as torch names it
    args: tuple[int, ...]  # in, out[, kernel]
    shape: tuple[int, ...]  # (C, H, W) of one digit's activations, or (k,) for the code
    does: str  # one sentence for a learner
    stride: int = 1
    output_padding: int = 0
    then: str = ", nn.ReLU()"  # what follows it before the activations are taken

    @property
    def code(self) -> str:
        """The layer as a line of PyTorch, `nn.Conv2d(32, 64, 3, stride=2), nn.ReLU()`."""
        extra = (f", stride={self.stride}" if self.stride != 1 else "") + \
            (f", output_padding={self.output_padding}" if self.output_padding else "")
        return f"nn.{self.module}({', '.join(map(str, self.args))}{extra}){self.then}"

    @property
    def parameters(self) -> int:
        """Weights and biases of the layer: in * out * kernel^2 + out (a Linear's kernel is 1)."""
        n_in, n_out, *kernel = self.args
        return n_in * n_out * (kernel[0] ** 2 if kernel else 1) + n_out


# The ten-number autoencoder's layers as the page draws them, input to output; the shapes follow ae/model.py's
# comments (tests/test_export.py compares them, the code and the parameter counts with torch's modules).
NETWORK = [
    Layer("enc1", "encoder", 1, "Conv2d", (1, 16, 3), (16, 26, 26),
          "Sixteen 3x3 filters slide over the image; each map lights up where its small pattern of ink appears."),
    Layer("enc2", "encoder", 3, "Conv2d", (16, 32, 3), (32, 24, 24),
          "Each of 32 filters combines all 16 maps below it into strokes and corners."),
    Layer("enc3", "encoder", 5, "Conv2d", (32, 64, 3), (64, 11, 11), "Stride 2 halves the size: 64 coarser maps "
          "of where larger parts of the digit are.", stride=2),
    Layer("enc4", "encoder", 7, "Conv2d", (64, 64, 3), (64, 5, 5), "Halved again: 64 maps of 5x5, each cell "
          "seeing most of the digit.", stride=2),
    Layer("z", "encoder", 9, "Linear", (1600, LATENT_DIM), (LATENT_DIM,), "The 64 maps above, flattened to 1,600 "
          "numbers, are mixed into the ten of the code: all the decoder will know of the drawing.", then=""),
    Layer("dec1", "decoder", 2, "Linear", (LATENT_DIM, 1600), (64, 5, 5), "The ten numbers are spread back out "
          "into 64 maps of 5x5.", then=", nn.ReLU(), nn.Unflatten(1, (64, 5, 5))"),
    Layer("dec2", "decoder", 4, "ConvTranspose2d", (64, 64, 3), (64, 11, 11), "A transposed convolution paints "
          "each cell as a 3x3 patch, doubling the size.", stride=2),
    Layer("dec3", "decoder", 6, "ConvTranspose2d", (64, 32, 3), (32, 24, 24), "Doubled again into 32 maps of "
          "strokes at nearly the image's size.", stride=2, output_padding=1),
    Layer("dec4", "decoder", 8, "ConvTranspose2d", (32, 16, 3), (16, 26, 26), "Sixteen maps of fine detail, "
          "the encoder's first layer mirrored."),
    Layer("image", "decoder", 10, "ConvTranspose2d", (16, 1, 3), (1, IMAGE_SIZE, IMAGE_SIZE), "The last filters "
          "add the maps into one image; the sigmoid keeps each pixel between black and white.",
          then=", nn.Sigmoid()"),
]


def _autoencoder(d: int, **roles) -> Spec:
    return Spec("ae" if d == LATENT_DIM else f"ae_d{d}", "Autoencoder", "autoencoder", "ae", d, "per-pixel MSE",
                epochs=20, batch_size=64, lr=1e-3, in_sizes=True, half=True, **roles)


def _vae(d: int, **roles) -> Spec:
    return Spec("vae" if d == LATENT_DIM else f"vae_d{d}", "VAE", "VAE", "vae", d,
                "negative ELBO: summed BCE + KL to N(0, I)", epochs=20, batch_size=128, lr=1e-3, half=True, **roles)


MODELS: dict[str, Spec] = {s.name: s for s in [
    _autoencoder(LATENT_DIM, on_sliders=True, layers=True),
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
    # the page's own autoencoder: its recorded re-run is the shipped model bit for bit; no plane, so no codes
    Recording("ae", MODELS["ae"], "autoencoder with 10 numbers", decoders=0, codes=False),
    # seed 0 escapes the plateau at two numbers even with a zero bias; seeds 1 and 2 sit on it (test MSE 0.104)
    Recording("ae_d2_zero_bias", MODELS["ae_d2"], "autoencoder, output bias started at 0", decoders=0, codes=False,
              zero_bias=True, seed=1, epochs=4),
]}
