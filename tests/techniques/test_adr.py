"""ADR: a valid attention map, identical to softmax when disabled, suppresses weak weights."""

from __future__ import annotations

import math

import torch

from llie_video.techniques.adr import AttentionReallocation, attention_weights


def logits(batch: int = 3, heads: int = 2, n: int = 5, m: int = 7) -> torch.Tensor:
    return 3.0 * torch.randn(batch, heads, n, m, generator=torch.Generator().manual_seed(0))


def test_output_is_a_valid_attention_map_for_batch_above_one() -> None:
    s = logits()
    out = attention_weights(s, AttentionReallocation(heads=2))
    assert out.shape == s.shape
    assert (out >= 0).all()
    assert torch.allclose(out.sum(-1), torch.ones(3, 2, 5), atol=1e-5)


def test_disabled_is_plain_softmax() -> None:
    s = logits()
    assert torch.equal(attention_weights(s, None), torch.softmax(s, dim=-1))


def test_zero_mix_reduces_to_the_original_map() -> None:
    adr = AttentionReallocation(heads=2)
    with torch.no_grad():
        adr.mix_logit.fill_(-math.inf)
    s = logits()
    assert torch.allclose(adr(torch.softmax(s, -1)), torch.softmax(s, -1), atol=1e-7)


def test_full_reallocation_moves_mass_from_weak_to_strong_weights() -> None:
    adr = AttentionReallocation(heads=2)
    with torch.no_grad():
        adr.mix_logit.fill_(20.0)
    a = torch.softmax(logits(), -1)
    out = adr(a)
    weak = a * a.shape[-1] < 0.2
    strong = a == a.amax(-1, keepdim=True)
    assert weak.any()
    assert (out[weak] < a[weak]).all()
    assert (out[strong] >= a[strong]).all()


def test_threshold_depends_on_the_map_and_gradients_reach_all_parameters() -> None:
    adr = AttentionReallocation(heads=2)
    with torch.no_grad():
        adr.stat_weights.fill_(1.0)
    a = torch.softmax(logits(), -1)
    flat = torch.full_like(a, 1 / a.shape[-1])
    assert not torch.allclose(adr.statistics(a), adr.statistics(flat))
    (adr(a) * torch.randn_like(a)).sum().backward()
    for p in adr.parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0
