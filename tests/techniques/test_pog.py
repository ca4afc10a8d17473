"""POG: orthogonal Householder bases, per-image weights, batch independence."""

from __future__ import annotations

import torch

from llie_video.techniques.pog import ParameterOrthogonalConv


def make_conv() -> ParameterOrthogonalConv:
    torch.manual_seed(0)
    return ParameterOrthogonalConv(in_channels=4, out_channels=3, dim=8)


def test_basis_is_orthogonal() -> None:
    basis = make_conv().basis()  # (K, d, d)
    assert basis.shape == (12, 8, 8)
    eye = torch.eye(8).expand_as(basis)
    assert torch.allclose(basis @ basis.transpose(1, 2), eye, atol=1e-5)
    assert torch.allclose(basis.transpose(1, 2) @ basis, eye, atol=1e-5)


def test_combined_vector_is_the_basis_times_the_coefficients() -> None:
    conv = make_conv()
    x = torch.rand(2, 4, 5, 6)
    c = conv.image_coefficients(x)
    assert torch.allclose(c.sum(1), torch.ones(2), atol=1e-6)
    expected = conv.to_weight(torch.einsum("kij,bj->bki", conv.basis(), c)).squeeze(-1)
    assert torch.allclose(conv.weights(x).flatten(1), expected, atol=1e-6)


def test_weights_differ_per_image_and_do_not_mix_the_batch() -> None:
    conv = make_conv()
    x = torch.rand(3, 4, 5, 6)
    x[0] *= 0.1
    x[1] += 1.0
    weights = conv.weights(x)
    assert weights.shape == (3, 3, 4)
    assert not torch.allclose(weights[0], weights[1], atol=1e-6)
    for i in range(3):  # each image's weights are those it gets alone
        assert torch.allclose(weights[i], conv.weights(x[i : i + 1])[0], atol=1e-6)
    out = conv(x)
    assert out.shape == (3, 3, 5, 6)
    alone = torch.nn.functional.conv2d(x[1:2], weights[1][:, :, None, None])
    assert torch.allclose(out[1:2], alone, atol=1e-5)


def test_gradients_reach_embeddings_and_coefficient_branch() -> None:
    conv = make_conv()
    conv(torch.rand(2, 4, 5, 6)).square().sum().backward()
    assert conv.embeddings.grad is not None and conv.embeddings.grad.abs().sum() > 0
    assert conv.coefficients[0].weight.grad.abs().sum() > 0
