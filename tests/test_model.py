import pytest
import torch

from ae.model import Autoencoder, load_model, save_model
from ae.pca import fit_pca
from ae.store import WeightsError

# the seed's two nn.Sequential modules, index by index (ReLU, Flatten, Unflatten, Sigmoid hold no weights)
SEED_KEYS = [f"encoder.{i}.{p}" for i in (0, 2, 4, 6, 9) for p in ("weight", "bias")] + \
            [f"decoder.{i}.{p}" for i in (0, 3, 5, 7, 9) for p in ("weight", "bias")]


def test_shapes_and_parameter_count():
    model = Autoencoder()
    x = torch.rand(3, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (3, 10)
    x_hat = model.decode(z)
    assert x_hat.shape == (3, 1, 28, 28) and 0 <= x_hat.min() and x_hat.max() <= 1
    assert sum(p.numel() for p in model.parameters()) == 153_995
    assert torch.equal(model(x), x_hat)


def test_state_dict_matches_the_seed_layout():
    state = Autoencoder().state_dict()
    assert sorted(state) == sorted(SEED_KEYS)
    assert state["encoder.9.weight"].shape == (10, 1600)
    assert state["decoder.0.weight"].shape == (1600, 10)
    assert state["decoder.5.weight"].shape == (64, 32, 3, 3)


def test_save_load_round_trip(tmp_path):
    model = Autoencoder().eval()
    save_model(model, tmp_path / "m.safetensors", {"latent_dim": 10, "test_mse": 0.5})
    loaded, facts = load_model(tmp_path / "m.safetensors")
    assert facts["test_mse"] == 0.5
    x = torch.rand(2, 1, 28, 28)
    assert torch.equal(loaded(x), model(x))


def assert_one_line(e: pytest.ExceptionInfo, *words: str):
    msg = str(e.value)
    assert "\n" not in msg and all(w in msg for w in words), msg


def test_bad_weight_files_give_one_line_errors(tmp_path):
    path = tmp_path / "m.safetensors"
    with pytest.raises(WeightsError) as e:
        load_model(path)
    assert_one_line(e, "is missing", "python train.py")

    save_model(Autoencoder(), path, {})
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(WeightsError) as e:
        load_model(path)
    assert_one_line(e, "not a readable safetensors file", "git checkout")

    tampered = bytearray(good)
    tampered[-10] ^= 0xFF  # a weight changed, the header still valid
    path.write_bytes(bytes(tampered))
    with pytest.raises(WeightsError) as e:
        load_model(path)
    assert_one_line(e, "fails its checksum")

    path.write_bytes(b"\x00" * 64)
    with pytest.raises(WeightsError) as e:
        load_model(path)
    assert_one_line(e, "not a readable safetensors file")


def test_another_architecture_is_refused(tmp_path):
    path = tmp_path / "pca.safetensors"
    save_model(fit_pca(torch.rand(50, 1, 28, 28)), path, {"latent_dim": 10})
    with pytest.raises(WeightsError) as e:
        load_model(path, "Autoencoder")
    assert_one_line(e, "holds PCA, not Autoencoder")


def test_tensors_of_another_shape_are_refused(tmp_path):
    from ae.store import save_tensors
    path = tmp_path / "wide.safetensors"
    state = Autoencoder(latent_dim=12).state_dict()
    save_tensors(path, state, kind="Autoencoder", facts={"latent_dim": 10})
    with pytest.raises(WeightsError) as e:
        load_model(path)
    assert_one_line(e, "do not fit that architecture")
