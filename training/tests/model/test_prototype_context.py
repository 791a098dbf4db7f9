"""The refiner's coarse-to-fine context over the similarity maps: it reads the matching around a voxel, a model
gains it without changing what it predicts, and it survives TorchScript."""

import pytest
import torch

from irisseg.model import build_iris

from conftest import assert_predict_alike, tiny_config, warm_start_from_a_working_refiner


def _task(g: int = 32):
    torch.manual_seed(3)
    ref, query = torch.randn(1, 1, g, g, g), torch.randn(1, 1, g, g, g)
    masks = (torch.rand(1, 2, g, g, g) > 0.7).float()
    return ref, masks, query


def _refined_logit_gradient_far_from(model) -> float:
    """|d refined logit at grid voxel (0, 0, 0) / d query features at voxel (1, 1, 1) of the deepest scale|, the
    decoder's own logits held fixed: what the refiner itself reads there."""
    ref, masks, query = _task()
    with torch.no_grad():
        embedding = model.encode_task(model.encode_image(ref), masks)
        features = [f.clone() for f in model.encode_image(query)]
    features[4].requires_grad_(True)
    logits = torch.zeros(1, 2, 32, 32, 32)
    refined = model.decoder.refiner(logits, features, embedding[:, :, model.decoder.token_dim:])
    refined[0, 0, 0, 0, 0].backward()
    return float(features[4].grad[0, :, 1, 1, 1].abs().sum())


def test_the_refiner_reads_the_matching_beyond_its_own_convolutions_only_with_a_context():
    # the deepest scale is 2^3 on the 32 grid: its voxel (1, 1, 1) covers grid voxels 16-31, beyond the reach of
    # the refiner's two convolutions from voxel (0, 0, 0) and of the trilinear up-sampling there
    plain = build_iris(tiny_config(prototype_scales=3).model).eval()
    with_context = build_iris(tiny_config(prototype_scales=3, prototype_context=4).model).eval()
    with torch.no_grad():  # output layers that pass what they read
        for m in (plain, with_context):
            m.decoder.refiner.out.weight.normal_(std=0.5)
            m.decoder.refiner.conv1.weight.normal_(std=0.5)
    assert _refined_logit_gradient_far_from(plain) == 0.0
    assert _refined_logit_gradient_far_from(with_context) > 1e-6


def test_a_model_gaining_the_context_starts_predicting_exactly_as_its_source(tmp_path):
    source, target, missing = warm_start_from_a_working_refiner(
        tiny_config(prototype_scales=3).model, tiny_config(prototype_scales=3, prototype_context=4).model,
        tmp_path / "model.pt")
    assert "decoder.refiner.conv1.weight (widened)" in missing
    assert {m for m in missing if "(widened)" not in m} == {k for k in target.state_dict()
                                                          if k.startswith("decoder.refiner.context.")}
    assert_predict_alike(source, target)


def test_a_model_with_the_context_scripts_and_predicts_as_in_eager_mode():
    model = build_iris(tiny_config(prototype_scales=3, prototype_context=4).model).eval()
    ref, masks, query = _task()
    scripted = torch.jit.script(model.decoder)
    with torch.no_grad():
        features = model.encode_image(query)
        embedding = model.encode_task(model.encode_image(ref), masks)
        want, _ = model.decode(features, embedding)
        got, _ = scripted(features, embedding)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_a_context_without_prototype_scales_is_refused():
    with pytest.raises(ValueError, match="prototype_context"):
        tiny_config(prototype_scales=0, prototype_context=4)
