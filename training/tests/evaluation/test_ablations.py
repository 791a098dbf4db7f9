"""Inference-time ablations: position embeddings zeroed, features averaged over mirrorings."""
import numpy as np
import pytest
import torch

from irisseg.evaluation import ablations

from .helpers import predictor, two_ball_subject  # noqa: F401  (fixture)


def _positions(p):
    return {n: t for m in ablations._modules(p) for n, t in m.named_parameters() if n.endswith("position")}


def test_zero_positions_zeroes_every_position_embedding_and_nothing_else(predictor):
    before = {n: t.detach().clone() for n, t in predictor.modules.named_parameters()}
    _, count = ablations.zero_positions(predictor)
    positions = _positions(predictor)
    assert count == len(positions) > 0
    assert all(float(t.detach().abs().max()) == 0.0 for t in positions.values())
    changed = {n for n, t in predictor.modules.named_parameters() if not torch.equal(t, before[n])}
    assert changed <= set(positions)


def test_flip_averaged_features_are_mirror_equivariant(predictor):
    image = two_ball_subject("s", 3).image
    ablations.flip_average(predictor)
    plain = predictor.encode_image(image)
    for axis in (0, 1, 2):
        mirrored = predictor.encode_image(np.flip(image, axis).copy())
        for a, b in zip(plain.maps, mirrored.maps):
            assert torch.allclose(torch.flip(a, [2 + axis]), b, atol=1e-5)


def test_plain_features_are_not_mirror_equivariant(predictor):
    image = two_ball_subject("s", 3).image
    plain = predictor.encode_image(image).maps[-1]
    mirrored = predictor.encode_image(np.flip(image, 0).copy()).maps[-1]
    assert not torch.allclose(torch.flip(plain, [2]), mirrored, atol=1e-5)


def test_unknown_ablation_is_refused(predictor):
    with pytest.raises(ValueError, match="unknown ablation"):
        ablations.apply(predictor, ["no-decoder"], log=lambda m: None)
