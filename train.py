"""Train the models on MNIST and write everything the app reads into one folder.

python train.py                       # the autoencoder, seed recipe (Adam, MSE, 20 epochs, batch 64) -> weights/
python train.py --model vae           # the VAE with the same backbone (Bernoulli ELBO)
python train.py --latent-dim 2        # the same layers with a 2-number code -> weights/ae_d2.*
python train.py --latent-dim 2 --record   # the same, recorded for the page's replay (weights/ae_d2_replay.*)
python train.py --latent-dim 2 --record --seed 1 --epochs 4 --zero-output-bias   # before the fix, recorded only
python train.py --model classifier    # the judge (last 5,000 training digits held out to calibrate it)
python train.py --limit 128 --batch-size 64 --epochs 1 --out runs/smoke   # two batches: a smoke test
"""
import argparse
import json
import platform
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from tqdm import tqdm

from ae.config import DATA_DIR, LATENT_DIM, REPLAY_DIGITS, WEIGHTS_DIR
from ae.data import load_mnist, to_float
from ae.export import export_decoder, export_model
from ae.images import reconstruction_figure
from ae.judge import Classifier, accuracy, fit_temperature, judge_all, train_classifier
from ae.latent import encode_all, latent_stats
from ae.metrics import PR_K, expected_calibration_error, realism_reference
from ae.meter import METER_STRIDE, meter_codes, meter_reference
from ae.model import VAE, Autoencoder, kl_to_standard_normal, load_model, reparameterize, save_model, start_at_mean
from ae.pca import fit_pca
from ae.registry import MODELS, RECORDINGS, Spec, spec_for
from ae.replay import Recorder
from ae.sampling import fit_samplers
from ae.store import save_tensors

CLASSES = {"ae": Autoencoder, "vae": VAE}
FAMILIES = sorted({s.family for s in MODELS.values()})  # --model: "ae", "vae", "classifier"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=FAMILIES, default="ae", help="what to train (default: ae)")
    p.add_argument("--epochs", type=int, default=None, help="passes over the training set (default: the model's in "
                   "ae/registry.py: ae and vae 20, classifier 5)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="images per step (default: ae 64, vae and classifier 128)")
    p.add_argument("--lr", type=float, default=None, help="Adam learning rate (default: 1e-3, classifier 3e-3)")
    p.add_argument("--latent-dim", type=int, default=LATENT_DIM,
                   help=f"numbers in the code, ae and vae (default: {LATENT_DIM})")
    p.add_argument("--seed", type=int, default=0, help="seed for initialisation, shuffling and sampling (default: 0)")
    p.add_argument("--limit", type=int, default=0,
                   help="use only the first N training and test images, for smoke tests (default: all)")
    p.add_argument("--record", action="store_true",
                   help="record the run for the page's replay: <out>/<model>_replay.safetensors and its decoders")
    p.add_argument("--zero-output-bias", action="store_true",
                   help="start the output bias at 0, the recipe before the fix; with --record, writes only the run")
    p.add_argument("--reuse", action="store_true",
                   help="skip training: load <out>/<model>.safetensors and rewrite the artefacts derived from it")
    p.add_argument("--out", type=Path, default=WEIGHTS_DIR,
                   help=f"folder for weights and artefacts (default: {WEIGHTS_DIR.name}/)")
    p.add_argument("--data", type=Path, default=DATA_DIR,
                   help=f"MNIST root in torchvision's layout (default: {DATA_DIR.name}/)")
    args = p.parse_args(argv)
    if args.latent_dim < 1:
        p.error(f"--latent-dim must be at least 1, got {args.latent_dim}")
    args.spec = spec_for(args.model, args.latent_dim)
    args.recording = None
    if args.record:
        name = args.spec.name + ("_zero_bias" if args.zero_output_bias else "")
        if name not in RECORDINGS or args.reuse:
            runs = "; ".join(r.command for r in RECORDINGS.values())
            p.error(f"--record trains one of the runs the page replays ({runs}), not {name}"
                    + (" with --reuse" if args.reuse else ""))
        args.recording = RECORDINGS[name]
    elif args.zero_output_bias:
        p.error("--zero-output-bias only records a run for the replay: add --record")
    args.epochs = args.spec.epochs if args.epochs is None else args.epochs
    args.batch_size = args.spec.batch_size if args.batch_size is None else args.batch_size
    args.lr = args.spec.lr if args.lr is None else args.lr
    return args


def ae_loss(model: Autoencoder, xb: torch.Tensor) -> torch.Tensor:
    """The seed's loss: mean per-pixel squared error."""
    return F.mse_loss(model(xb), xb)


def vae_loss(model: VAE, xb: torch.Tensor) -> torch.Tensor:
    """Negative ELBO per image: Bernoulli reconstruction (summed binary cross-entropy) plus KL to N(0, I).

    Weighted 1:1, the true ELBO of Kingma & Welling's MNIST VAE. Summed squared error (a Gaussian of variance
    1 per pixel) would be about 20x smaller than the cross-entropy, so KL would dominate and blur everything.
    """
    mu, logvar = model.posterior(xb)  # (B, k) each
    x_hat = model.decode(reparameterize(mu, logvar))  # (B, 1, 28, 28)
    recon = F.binary_cross_entropy(x_hat, xb, reduction="sum") / len(xb)
    return recon + kl_to_standard_normal(mu, logvar).mean()


@torch.no_grad()
def reconstruction_errors(model: torch.nn.Module, x: torch.Tensor, *, batch_size: int = 1000) -> torch.Tensor:
    """Per-image mean per-pixel squared error (N,) of model(x) against x (N, 1, 28, 28), clamped like the app's
    images."""
    return torch.cat([(model(x[i:i + batch_size]).clamp(0, 1) - x[i:i + batch_size]).pow(2).mean(dim=(1, 2, 3))
                      for i in range(0, len(x), batch_size)])


@torch.no_grad()
def evaluate(model: torch.nn.Module, x: torch.Tensor, *, batch_size: int = 1000) -> float:
    """Mean per-pixel MSE of model(x) against x, for x (N, 1, 28, 28)."""
    total = sum(F.mse_loss(model(x[i:i + batch_size]), x[i:i + batch_size], reduction="sum").item()
                for i in range(0, len(x), batch_size))
    return total / x.numel()


def train_epoch(model: torch.nn.Module, loss_fn, x: torch.Tensor, opt: torch.optim.Optimizer, *,
                batch_size: int, gen: torch.Generator, desc: str, bar: bool = True,
                after_step: Callable[[float], None] | None = None) -> float:
    """One shuffled pass over x (N, 1, 28, 28), calling after_step(loss) after each step; returns the mean
    training loss."""
    model.train()
    order = torch.randperm(len(x), generator=gen)
    total, seen = 0.0, 0
    steps = tqdm(range(0, len(x), batch_size), desc=desc, leave=False, mininterval=1.0, disable=not bar)
    for i in steps:
        xb = x[order[i:i + batch_size]]  # (B, 1, 28, 28)
        loss = loss_fn(model, xb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        total, seen = total + value * len(xb), seen + len(xb)
        if after_step is not None:
            after_step(value)
        steps.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
    model.eval()
    return total / seen


def first_of_each_digit(labels: torch.Tensor) -> torch.Tensor:
    """Indices of the first example of each digit 0-9 (fewer if some are absent)."""
    return torch.tensor([int((labels == d).nonzero()[0]) for d in range(10) if (labels == d).any()])


def write_latents(name: str, model: torch.nn.Module, data, out: Path, seed: int) -> None:
    """Codes of both sets, the meter's codes and scale, reconstruction errors, statistics and samplers, beside the
    weights."""
    train_codes, test_codes = encode_all(model, data.train_images), encode_all(model, data.test_images)  # (N, 10)
    meter = meter_codes(train_codes.numpy())  # (N / 6, 10) float16
    save_tensors(out / f"{name}_codes.safetensors",
                 {"train_codes": train_codes, "train_labels": data.train_labels,
                  "test_codes": test_codes, "test_labels": data.test_labels,
                  "meter_codes": meter, "meter_labels": data.train_labels[::METER_STRIDE],
                  "meter_reference": meter_reference(meter, test_codes.numpy()),
                  "test_errors": reconstruction_errors(model, to_float(data.test_images)).sort().values}, kind="Codes")
    (out / f"{name}_latents.json").write_text(json.dumps(latent_stats(train_codes), indent=1))
    save_tensors(out / f"{name}_samplers.safetensors", fit_samplers(train_codes.numpy(), seed=seed), kind="Samplers")


def fit(model_name: str, x_train: torch.Tensor, x_test: torch.Tensor, *, latent_dim: int, epochs: int,
        batch_size: int, lr: float, seed: int, log: bool = True, device: str = "cpu", zero_bias: bool = False,
        on_step: Callable[[torch.nn.Module, int, float | None], None] | None = None,
        ) -> tuple[torch.nn.Module, list[dict]]:
    """Train a fresh "ae" or "vae" on x_train (N, 1, 28, 28), calling on_step(model, step, loss) at step 0 and after
    every step; returns it in eval mode and its per-epoch history."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)  # the shuffling stays on the CPU, so a seed shuffles alike everywhere
    model = CLASSES[model_name](latent_dim=latent_dim).eval().to(device)
    if zero_bias:
        start_at_mean(model.decoder, 0.5)  # logit(0.5) = 0: the seed's zero output bias, before the fix
    step = 0

    def after_step(loss: float) -> None:
        nonlocal step
        step += 1
        on_step(model, step, loss)
    x_train, x_test = x_train.to(device), x_test.to(device)
    loss_fn = ae_loss if model_name == "ae" else vae_loss
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    history = [{"epoch": 0, "train_loss": None, "test_mse": evaluate(model, x_test)}]
    if on_step is not None:
        on_step(model, 0, None)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        train_loss = train_epoch(model, loss_fn, x_train, opt, batch_size=batch_size, gen=gen,
                                 desc=f"epoch {epoch}/{epochs}", bar=log,
                                 after_step=None if on_step is None else after_step)
        history.append({"epoch": epoch, "train_loss": train_loss, "test_mse": evaluate(model, x_test)})
        if log:
            print(f"epoch {epoch:2d}/{epochs}  train loss {train_loss:.5f}  test mse {history[-1]['test_mse']:.5f}"
                  f"  {time.perf_counter() - start:.0f}s", flush=True)
    return model, history


def write_test_codes(name: str, model: torch.nn.Module, data, out: Path) -> None:
    """The test codes and labels alone, for a model the app does not put on the sliders (its 2-D planes)."""
    save_tensors(out / f"{name}_codes.safetensors",
                 {"test_codes": encode_all(model, data.test_images), "test_labels": data.test_labels}, kind="TestCodes")


def make_recorder(args: argparse.Namespace, data) -> Recorder:
    """What --record keeps of this run: the first test digits' codes and MSE, the seed's ten digits."""
    x_test = to_float(data.test_images)  # (N, 1, 28, 28)
    steps_per_epoch = -(-len(data.train_images) // args.batch_size)
    return Recorder(args.recording, total_steps=steps_per_epoch * args.epochs, steps_per_epoch=steps_per_epoch,
                    digits=x_test[:REPLAY_DIGITS], seed_digits=x_test[first_of_each_digit(data.test_labels)])


def write_recording(recorder: Recorder, model: torch.nn.Module, out: Path, facts: dict) -> None:
    """Write the recording and its decoders (float16 ONNX, rebuilt from the kept state dicts)."""
    def write_decoder(state: dict, path: Path) -> None:
        then = CLASSES[recorder.recording.spec.family](latent_dim=model.latent_dim).eval()
        then.decoder.load_state_dict(state)
        export_decoder(then, path)

    facts = recorder.save(out, write_decoder, facts)
    print(f"recorded {len(recorder.rows)} points, {len(facts['decoders'])} decoders in {facts['recording_s']:.0f}s: "
          f"{out / recorder.recording.file}")


def train_autoencoder(args: argparse.Namespace, data) -> dict:
    """Train (or with --reuse load) the AE or VAE, then write its weights, summary, latents and figure."""
    spec: Spec = args.spec
    name = spec.name  # files are <out>/<name>.safetensors, <name>.json, ...
    x_train, x_test = to_float(data.train_images), to_float(data.test_images)  # (N, 1, 28, 28) in [0, 1]
    path, summary_path = args.out / spec.weights, args.out / f"{name}.json"
    kind = spec.kind
    if args.reuse:
        model, _ = load_model(path, kind)
        summary = json.loads(summary_path.read_text())
    else:
        recorder = None if args.recording is None else make_recorder(args, data)
        start = time.perf_counter()
        model, history = fit(args.model, x_train, x_test, latent_dim=args.latent_dim, epochs=args.epochs,
                             batch_size=args.batch_size, lr=args.lr, seed=args.seed, zero_bias=args.zero_output_bias,
                             on_step=recorder)
        recipe = {"model": kind, "latent_dim": args.latent_dim, "optimizer": "Adam", "epochs": args.epochs,
                  "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed, "train_images": len(x_train),
                  "test_images": len(x_test), "loss": spec.loss}
        summary = {
            "recipe": recipe,
            "parameters": sum(p.numel() for p in model.parameters()),
            "wall_time_s": round(time.perf_counter() - start, 1),
            "history": history,
            "test_mse": history[-1]["test_mse"],  # per pixel, decoding the code (the VAE's posterior mean)
            "torch": torch.__version__,
            "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        }
        if recorder is not None:
            write_recording(recorder, model, args.out, {"recipe": recipe, "wall_time_s": summary["wall_time_s"]})
        if args.zero_output_bias:  # the recipe before the fix: replayed, never shipped
            return summary
        save_model(model, path, {"latent_dim": args.latent_dim, "test_mse": summary["test_mse"], "recipe": recipe})

    if args.latent_dim == LATENT_DIM:
        write_latents(name, model, data, args.out, args.seed)
    elif args.latent_dim == 2:  # the page's 2-D planes show the test codes; other sizes' codes would only weigh
        write_test_codes(name, model, data, args.out)
    # the page runs these; their weights are stored as float16 (spec.half), half the download before the page is live
    export_model(model, spec, args.out)
    idx = first_of_each_digit(data.test_labels)
    with torch.no_grad():
        reconstruction_figure(x_test[idx], model(x_test[idx])).save(args.out / f"{name}_figure.png")
    if name == "ae":  # the linear baseline and the example digits are written once, with the app's AE
        pca = fit_pca(x_train, latent_dim=LATENT_DIM)
        summary["pca_test_mse"] = evaluate(pca, x_test)
        save_model(pca, args.out / "pca.safetensors", {"latent_dim": LATENT_DIM, "test_mse": summary["pca_test_mse"]})
        write_latents("pca", pca, data, args.out, args.seed)
        export_model(pca, MODELS["pca"], args.out)
        save_tensors(args.out / "examples.safetensors",
                     {"images": data.test_images[idx], "labels": data.test_labels[idx], "indices": idx},
                     kind="Examples")
    summary_path.write_text(json.dumps(summary, indent=1))
    print(f"{kind}: test mse {summary['test_mse']:.5f}; wrote {name}.safetensors and its artefacts to {args.out}/")
    return summary


JUDGE_HOLDOUT = 5000  # the last training digits: the judge never trains on them, its temperature is fitted on them


def write_judge_reference(model: Classifier, x_test: torch.Tensor, out: Path) -> None:
    """The test digits' features with the smaller half of k-NN radii and those radii: the server's realism verdicts."""
    feats, radii = realism_reference(judge_all(model, x_test)[0].numpy())  # (N // 2, 128), (N // 2,)
    save_tensors(out / "judge_reference.safetensors",
                 {"features": torch.from_numpy(feats).half(), "radii": torch.from_numpy(radii).float()},
                 kind="JudgeReference", facts={"k": PR_K, "test_images": len(x_test)})


def train_judge(args: argparse.Namespace, data) -> dict:
    """Train the judge on all but the held-out training digits, fit its temperature on those; write weights and
    summary."""
    x_all, x_test = to_float(data.train_images), to_float(data.test_images)
    held = min(JUDGE_HOLDOUT, len(x_all) // 4)  # --limit smoke runs keep three quarters to train on
    x_train, y_train = x_all[:-held], data.train_labels[:-held]
    x_held, y_held = x_all[-held:], data.train_labels[-held:]
    start = time.perf_counter()
    model, history = train_classifier(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                                      lr=args.lr, seed=args.seed)
    feats_held = judge_all(model, x_held)[0]
    with torch.no_grad():
        model.temperature = fit_temperature(model.head(feats_held), y_held)
    with torch.no_grad():
        logits_test = model.head(judge_all(model, x_test)[0])  # (N, 10), before the temperature
    labels = data.test_labels.numpy()
    ece_before = expected_calibration_error(logits_test.softmax(dim=1).numpy(), labels)
    ece_after = expected_calibration_error((logits_test / model.temperature).softmax(dim=1).numpy(), labels)
    recipe = {"model": "Classifier", "optimizer": "Adam, linear decay to 0", "loss": "cross-entropy",
              "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
              "train_images": len(x_train), "held_out_images": held, "test_images": len(x_test),
              "calibration": "temperature scaling, NLL on the held-out training digits"}
    summary = {"recipe": recipe, "parameters": sum(p.numel() for p in model.parameters()),
               "wall_time_s": round(time.perf_counter() - start, 1), "history": history,
               "test_accuracy": accuracy(model, x_test, data.test_labels), "temperature": model.temperature,
               "test_ece_before": ece_before, "test_ece_after": ece_after, "torch": torch.__version__}
    save_model(model, args.out / "classifier.safetensors",
               {"test_accuracy": summary["test_accuracy"], "temperature": model.temperature, "recipe": recipe})
    write_judge_reference(model, x_test, args.out)
    export_model(model, args.spec, args.out)  # the server judges with this file (its logits divided by the temperature)
    (args.out / "classifier.json").write_text(json.dumps(summary, indent=1))
    print(f"Classifier: test accuracy {summary['test_accuracy']:.4f}; temperature {model.temperature:.3f} "
          f"(fitted on {held:,} held-out training digits); test ECE (15 bins) {ece_before:.4f} before, "
          f"{ece_after:.4f} after; wrote classifier.safetensors and judge_reference.safetensors to {args.out}/")
    return summary


def main(argv: list[str] | None = None) -> dict:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data = load_mnist(args.data)
    if args.limit:
        data = type(data)(*(t[:args.limit] for t in data))
    if args.model == "classifier" and args.reuse:  # the judge's only derived file is its ONNX export
        model, _ = load_model(args.out / args.spec.weights, "Classifier")
        export_model(model, args.spec, args.out)
        return json.loads((args.out / "classifier.json").read_text())
    if args.model == "classifier":
        return train_judge(args, data)
    return train_autoencoder(args, data)


if __name__ == "__main__":
    main()
