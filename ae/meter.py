"""The off-manifold meter: how far a code is from the nearest training code, against what real test digits show."""
import math

import torch

# The meter compares a code with every 6th training code (10,000), rounded to float16: 200 KB a model, small enough
# for the page to download and search itself; the server searches the very same numbers, so both agree.
METER_STRIDE = 6


@torch.no_grad()
def nearest(codes_ref: torch.Tensor, z: torch.Tensor, *, batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Euclidean distance (M,) from each of z (M, k) to its nearest row of codes_ref (N, k), and that row's index (M,)."""
    ref = codes_ref.double()  # float64: cdist's matmul shortcut loses small distances in float32
    dist, index = [], []
    for i in range(0, len(z), batch_size):  # a (batch, N) distance matrix at a time bounds memory
        d = torch.cdist(z[i:i + batch_size].double(), ref)  # (B, N)
        best = d.min(dim=1)
        dist.append(best.values)
        index.append(best.indices)
    return torch.cat(dist).to(z.dtype), torch.cat(index)


@torch.no_grad()
def nearest_one(codes_ref: torch.Tensor, sq_norms: torch.Tensor, z: torch.Tensor) -> tuple[float, int]:
    """Distance from one code z (k,) to its nearest row of codes_ref (N, k) float64, given the rows' squared norms (N,).

    The live meter runs this on every slider step: |r - z|^2 = |r|^2 - 2 r.z + |z|^2 is one matrix-vector
    product over the rows, about five times faster than cdist; float64 keeps small distances exact enough.
    """
    z = z.double()
    best = torch.addmv(sq_norms, codes_ref, z, alpha=-2).min(dim=0)  # (N,) |r|^2 - 2 r.z, then its minimum
    return math.sqrt(max(best.values.item() + z.dot(z).item(), 0.0)), best.indices.item()


def meter_codes(train_codes: torch.Tensor) -> torch.Tensor:
    """The training codes (N, k) the meter compares with: every METER_STRIDE-th, as float16 (N / 6, k)."""
    return train_codes[::METER_STRIDE].half()


def meter_reference(codes_ref: torch.Tensor, test_codes: torch.Tensor) -> torch.Tensor:
    """Each test code's distance to its nearest row of codes_ref (N_test,), sorted: the meter's scale of 'normal'."""
    return nearest(codes_ref.double(), test_codes)[0].sort().values


def distance_percentile(d: float, reference_sorted: torch.Tensor) -> float:
    """Percent (0 to 100) of the reference distances that are at most d: 99 means farther than almost any real digit."""
    at_most = torch.searchsorted(reference_sorted, torch.tensor([d], dtype=reference_sorted.dtype), right=True)
    return 100.0 * at_most.item() / len(reference_sorted)
