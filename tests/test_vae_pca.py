import torch

from ae.model import VAE, kl_to_standard_normal, reparameterize
from ae.pca import fit_pca


def test_vae_shapes_and_backbone():
    vae = VAE()
    x = torch.rand(4, 1, 28, 28)
    mu, logvar = vae.posterior(x)
    assert mu.shape == logvar.shape == (4, 10)
    assert torch.equal(vae.encode(x), mu)  # the app shows the posterior mean
    assert vae.decode(mu).shape == (4, 1, 28, 28)
    assert vae.encoder[-1].out_features == 20 and len(vae.encoder) == len(vae.decoder) - 1  # seed backbone, wider head


def test_kl_matches_the_closed_form_of_two_gaussians():
    mu = torch.tensor([[0.5, -1.0], [0.0, 0.0]])
    var = torch.tensor([[2.0, 0.25], [1.0, 1.0]])
    # KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2)/2 - 1/2, per dimension
    expected = (torch.log(1 / var.sqrt()) + (var + mu**2) / 2 - 0.5).sum(1)
    assert torch.allclose(kl_to_standard_normal(mu, var.log()), expected, atol=1e-6)
    assert kl_to_standard_normal(torch.zeros(1, 10), torch.zeros(1, 10)).item() == 0.0


def test_kl_matches_torch_distributions():
    mu, logvar = torch.randn(5, 10), torch.randn(5, 10)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    p = torch.distributions.Normal(torch.zeros(10), torch.ones(10))
    assert torch.allclose(kl_to_standard_normal(mu, logvar), torch.distributions.kl_divergence(q, p).sum(1), atol=1e-5)


def test_reparameterisation_has_the_posterior_mean_and_variance():
    mu = torch.tensor([[1.5, -2.0, 0.0]]).expand(200_000, 3)
    logvar = torch.tensor([[0.0, 2 * torch.log(torch.tensor(0.5)).item(), 1.0]]).expand(200_000, 3)
    z = reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    assert torch.allclose(z.mean(0), mu[0], atol=0.01)
    assert torch.allclose(z.var(0), logvar[0].exp(), rtol=0.02)


def test_reparameterisation_lets_gradients_reach_mean_and_variance():
    mu, logvar = torch.zeros(2, 3, requires_grad=True), torch.zeros(2, 3, requires_grad=True)
    reparameterize(mu, logvar).pow(2).sum().backward()
    assert mu.grad is not None and logvar.grad.abs().sum() > 0


def test_pca_round_trip_on_its_own_components():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(500, 1, 28, 28, generator=g)
    pca = fit_pca(x)
    c = pca.components  # (10, 784), orthonormal rows
    assert torch.allclose(c @ c.T, torch.eye(10), atol=1e-4)
    image = (pca.mean + 3 * c[2] - 1.5 * c[7]).view(1, 1, 28, 28)  # exactly representable
    z = pca.encode(image)
    assert torch.allclose(z, torch.tensor([[0, 0, 3.0, 0, 0, 0, 0, -1.5, 0, 0]]), atol=1e-4)
    assert torch.allclose(pca.decode(z), image, atol=1e-5)


def test_pca_matches_torch_pca_lowrank_subspace():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(400, 1, 28, 28, generator=g)
    pca = fit_pca(x)
    flat = x.flatten(1)
    _, _, v = torch.linalg.svd(flat - flat.mean(0), full_matrices=False)
    ref = v[:10]  # the same subspace, up to signs
    assert torch.allclose((pca.components @ ref.T).abs().max(1).values, torch.ones(10), atol=1e-3)
