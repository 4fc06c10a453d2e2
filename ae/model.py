"""The seed's convolutional autoencoder, layer for layer, and how its weights are saved and loaded."""
import json
import math
from pathlib import Path

import torch
from torch import nn

from ae.config import LATENT_DIM, MEAN_PIXEL
from ae.judge import Classifier
from ae.pca import PCA
from ae.store import FIX, WeightsError, read_tensors, save_tensors


def make_encoder(out_features: int) -> nn.Sequential:
    """The seed's encoder: four 3x3 convolutions (two with stride 2), then a linear map to the code."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(),  # (B, 16, 26, 26)
        nn.Conv2d(16, 32, 3), nn.ReLU(),  # (B, 32, 24, 24)
        nn.Conv2d(32, 64, 3, stride=2), nn.ReLU(),  # (B, 64, 11, 11)
        nn.Conv2d(64, 64, 3, stride=2), nn.ReLU(),  # (B, 64, 5, 5)
        nn.Flatten(),  # (B, 1600)
        nn.Linear(1600, out_features),  # (B, out_features)
    )


def make_decoder(latent_dim: int) -> nn.Sequential:
    """The seed's decoder: the encoder mirrored with transposed convolutions, a sigmoid for [0, 1] pixels."""
    return nn.Sequential(
        nn.Linear(latent_dim, 1600), nn.ReLU(),  # (B, 1600)
        nn.Unflatten(1, (64, 5, 5)),  # (B, 64, 5, 5)
        nn.ConvTranspose2d(64, 64, 3, stride=2), nn.ReLU(),  # (B, 64, 11, 11)
        nn.ConvTranspose2d(64, 32, 3, stride=2, output_padding=1), nn.ReLU(),  # (B, 32, 24, 24)
        nn.ConvTranspose2d(32, 16, 3), nn.ReLU(),  # (B, 16, 26, 26)
        nn.ConvTranspose2d(16, 1, 3),  # (B, 1, 28, 28)
        nn.Sigmoid(),
    )


def he_init(module: nn.Module) -> None:
    """He-normal weights and zero biases for conv and linear layers: ReLU stacks keep their activations' scale."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)


def start_at_mean(decoder: nn.Sequential, mean_pixel: float = MEAN_PIXEL) -> None:
    """Start the decoder's output at the data's mean pixel: the output layer's bias is logit(mean_pixel).

    Why: with zero biases the decoder first outputs sigmoid(about N(0, 1)), 0.5 on average, while 81% of
    MNIST's pixels are 0. The first steps' gradient then says "darker everywhere": Adam drives every output
    logit down (below -100 within 25 steps), the sigmoid saturates (its slope is about e^-|logit|), half the
    decoder's ReLUs die, and the model outputs black for epochs (test MSE 0.11) on most seeds. Started at
    the mean, nothing pulls every pixel the same way and what is left to learn is the digit's shape.
    """
    with torch.no_grad():
        # the last ConvTranspose2d: sigmoid(bias) = mean
        decoder[-2].bias.fill_(math.log(mean_pixel / (1 - mean_pixel)))


class Autoencoder(nn.Module):
    """x (B, 1, 28, 28) in [0, 1] -> z (B, 10) -> x_hat (B, 1, 28, 28) in [0, 1]."""

    def __init__(self, *, latent_dim: int = LATENT_DIM):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = make_encoder(latent_dim)
        self.decoder = make_decoder(latent_dim)
        self.apply(he_init)
        start_at_mean(self.decoder)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class VAE(nn.Module):
    """The same backbone as a variational autoencoder: the encoder's last layer gives a mean and a log-variance."""

    def __init__(self, *, latent_dim: int = LATENT_DIM):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = make_encoder(2 * latent_dim)  # (B, 2k): mean, then log-variance
        self.decoder = make_decoder(latent_dim)
        self.apply(he_init)
        start_at_mean(self.decoder)

    def posterior(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean and log-variance (B, k) each of q(z | x)."""
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        return mu, logvar

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.posterior(x)[0]  # the mean: the app shows the most likely code, not a random draw

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encode(x))


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): a sample of q(z | x) that gradients flow through."""
    eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) per example (B,), in closed form."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).sum(dim=1)


MODELS: dict[str, type[nn.Module]] = {"Autoencoder": Autoencoder, "VAE": VAE, "PCA": PCA, "Classifier": Classifier}


def constructor_of(model: nn.Module) -> dict:
    """The keyword arguments that rebuild model's architecture: its code size, for the kinds that have one."""
    return {"latent_dim": model.latent_dim} if hasattr(model, "latent_dim") else {}


def save_model(model: nn.Module, path: Path, facts: dict) -> None:
    """Save the state dict as safetensors, tagged with its class and constructor arguments, so loading needs only the
    path, and the training facts."""
    save_tensors(path, model.state_dict(), kind=type(model).__name__, facts=facts,
                 meta={"constructor": json.dumps(constructor_of(model))})


def load_model(path: Path, kind: str | None = None) -> tuple[nn.Module, dict]:
    """Rebuild the model a file written by save_model describes (checked to be a `kind` if given); returns (model in
    eval mode, facts)."""
    arrays, meta = read_tensors(path)
    found = meta.get("kind")
    if found not in MODELS or (kind is not None and found != kind):
        raise WeightsError(f"{path} holds {found or 'no kind tag'}, not {kind or 'a model'}: "
                           f"pass a model file or {FIX}")
    try:
        args, facts = json.loads(meta.get("constructor", "{}")), json.loads(meta.get("facts", "{}"))
        model = MODELS[found](**args)
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in arrays.items()})
    except (ValueError, TypeError, RuntimeError):
        raise WeightsError(f"{path} says {found} but its tensors do not fit that architecture: retrain it") from None
    if "temperature" in facts:  # the judge's calibration lives in its facts, not among its weights
        model.temperature = float(facts["temperature"])
    return model.eval().requires_grad_(False), facts
