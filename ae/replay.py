"""A training run recorded as it happens, for the page's replay.

At about 60 log-spaced steps (dense at the start, where most changes) a Recorder keeps the codes of a fixed set of
test digits, the seed's ten digits reconstructed, the training loss since the last point and the MSE on those test
digits; at a few of those steps it keeps the decoder itself. Recording reads the model in eval mode under no_grad
and draws no random numbers, so a recorded run trains exactly as an unrecorded one.
"""
import copy
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ae.registry import Recording
from ae.store import save_tensors

REPLAY_POINTS = 60  # recorded steps, step 0 (before training) and the last step included


def record_steps(total: int, points: int = REPLAY_POINTS) -> list[int]:
    """About `points` distinct steps from 0 to total, log-spaced: 0, 1, 2, 3, 5, ... total."""
    for n in range(points - 1, 20 * points):
        steps = np.unique(np.round(np.geomspace(1, total, n)).astype(int))
        if len(steps) >= points - 1 or len(steps) == total:
            return [0, *steps.tolist()]
    return list(range(total + 1))


def decoder_points(count: int, points: int) -> list[int]:
    """Which of `points` recorded steps keep the decoder: `count` of them evenly spread (in log-steps), the last
    included."""
    return [] if count == 0 else sorted({round(i * (points - 1) / max(count - 1, 1)) for i in range(count)})


def to_pixels(x: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] as uint8 0-255, (B, 28, 28)."""
    return (x.clamp(0, 1) * 255).round().to(torch.uint8).squeeze(1)


class Recorder:
    """Called with the model, the step number and that step's loss after every optimiser step (and at step 0, loss
    None); keeps what the replay shows."""

    def __init__(self, recording: Recording, *, total_steps: int, steps_per_epoch: int,
                 digits: torch.Tensor, seed_digits: torch.Tensor):
        self.recording = recording
        self.steps = set(record_steps(total_steps))  # each is reached once, in order
        steps = sorted(self.steps)
        self.keep_decoder = {steps[i] for i in decoder_points(recording.decoders, len(steps))}
        self.steps_per_epoch = steps_per_epoch
        self.digits, self.seed_digits = digits, seed_digits  # (N, 1, 28, 28) each
        self.rows: list[dict] = []
        self.decoders: dict[int, dict] = {}  # step -> decoder state dict
        self.losses: list[float] = []  # training losses since the last recorded step
        self.seconds = 0.0  # time spent recording, to report what it adds to training

    @torch.no_grad()
    def __call__(self, model: nn.Module, step: int, loss: float | None) -> None:
        if loss is not None:
            self.losses.append(loss)
        if step not in self.steps:
            return
        start = time.perf_counter()
        was_training = model.training
        model.eval()
        codes = model.encode(self.digits)  # (N, k); one pass gives the plane and the test MSE
        row = {"step": step, "train_loss": float(np.mean(self.losses)) if self.losses else float("nan"),
               "test_mse": F.mse_loss(model.decode(codes), self.digits).item(),
               "recons": to_pixels(model(self.seed_digits))}  # (10, 28, 28)
        if self.recording.codes:
            row["codes"] = codes.half()  # (N, k)
        self.rows.append(row)
        if step in self.keep_decoder:
            self.decoders[step] = copy.deepcopy(model.decoder.state_dict())
        model.train(was_training)
        self.losses = []
        self.seconds += time.perf_counter() - start

    def save(self, out: Path, export_decoder, facts: dict) -> dict:
        """Write <name>_replay.safetensors and the kept decoders as ONNX files (export_decoder(state, path) writes
        one); returns the facts stored in the recording."""
        steps = [r["step"] for r in self.rows]
        files = {}
        for step, state in self.decoders.items():
            name = self.recording.decoder_file(steps.index(step))
            export_decoder(state, out / name)
            files[str(step)] = name
        tensors = {"steps": torch.tensor(steps, dtype=torch.int64),
                   "epochs": torch.tensor(steps, dtype=torch.float32) / self.steps_per_epoch,
                   "train_loss": torch.tensor([r["train_loss"] for r in self.rows], dtype=torch.float32),
                   "test_mse": torch.tensor([r["test_mse"] for r in self.rows], dtype=torch.float32),
                   "recons": torch.stack([r["recons"] for r in self.rows])}  # (P, 10, 28, 28) uint8
        if self.recording.codes:
            tensors["codes"] = torch.stack([r["codes"] for r in self.rows])  # (P, N, k) float16
        facts = {**facts, "name": self.recording.name, "decoders": files, "steps_per_epoch": self.steps_per_epoch,
                 "recording_s": round(self.seconds, 1)}
        save_tensors(out / self.recording.file, tensors, kind="Replay", facts=facts)
        return facts

