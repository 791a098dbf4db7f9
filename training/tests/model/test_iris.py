import pytest
import torch

from irisseg.config import preset
from irisseg.model import build_iris
from irisseg.model.builder import embedding_dim

from conftest import tiny_config


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_shapes_for_each_class_count(tiny_cfg, k):
    model = build_iris(tiny_cfg.model).eval()
    g = tiny_cfg.model.grid_size
    img = torch.randn(2, 1, g, g, g)
    masks = (torch.rand(2, k, g, g, g) > 0.7).float()
    with torch.no_grad():
        feats = model.encode_image(img)
        emb = model.encode_task(feats, masks)
        logits, aux = model.decode(feats, emb)
    assert [f.shape[2] for f in feats] == [32, 16, 8, 4, 2]
    assert emb.shape == (2, k, model.embedding_dim)
    # tokens: (m + 1) * task-scale widths; prototypes: fg + bg per prototype scale (4, 3, 2, 1)
    assert model.embedding_dim == embedding_dim(tiny_cfg.model) == 4 * (16 + 16 + 8) + 2 * (16 + 16 + 8 + 8)
    assert logits.shape == (2, k, g, g, g)
    o = tiny_cfg.model.output_scale
    assert [a.shape[2] for a in aux] == [32 // 2**s for s in range(o + 1, 5)]
    assert all(a.shape[:2] == (2, k) for a in aux)


def test_full_resolution_variant_as_in_the_paper():
    """Paper layout: 3x3x3 convs at full resolution, full-resolution context fusion and decoder."""
    cfg = tiny_config(full_res_convs=True, context_divisor=1, output_scale=0, blocks_per_stage=(1, 1, 1, 1, 1),
                      decoder_blocks=(1, 1, 1, 1))
    model = build_iris(cfg.model)
    g = 32
    masks = torch.zeros(1, 2, g, g, g)
    masks[:, 0, 2:12, 2:12, 2:12] = 1
    masks[:, 1, 18:28, 18:28, 18:28] = 1
    logits, aux = model(torch.randn(1, 1, g, g, g), masks, torch.randn(1, 1, g, g, g))
    assert logits.shape == (1, 2, g, g, g)
    assert [a.shape[2] for a in aux] == [16, 8, 4, 2]
    (logits.mean() + sum(a.mean() for a in aux)).backward()
    assert all(p.grad is not None for p in model.parameters())


def test_deep_supervision_off_gives_no_aux():
    model = build_iris(tiny_config(deep_supervision=False).model)
    g = 32
    logits, aux = model(torch.randn(1, 1, g, g, g), torch.ones(1, 2, g, g, g), torch.randn(1, 1, g, g, g))
    assert logits.shape == (1, 2, g, g, g) and aux == []


def test_gradients_reach_every_parameter(tiny_cfg):
    model = build_iris(tiny_cfg.model).train()
    g = tiny_cfg.model.grid_size
    masks = torch.zeros(2, 2, g, g, g)
    masks[:, 0, 2:12, 2:12, 2:12] = 1
    masks[:, 1, 18:28, 18:28, 18:28] = 1
    logits, aux = model(torch.randn(2, 1, g, g, g), masks, torch.randn(2, 1, g, g, g))
    loss = logits.square().mean() + sum(a.square().mean() for a in aux)
    loss.backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.isfinite(p.grad).all()
               or p.grad.abs().sum() == 0]
    assert missing == []


def test_eval_mode_is_deterministic(tiny_cfg):
    model = build_iris(tiny_cfg.model).eval()
    g = tiny_cfg.model.grid_size
    args = (torch.randn(1, 1, g, g, g), (torch.rand(1, 2, g, g, g) > 0.5).float(), torch.randn(1, 1, g, g, g))
    with torch.no_grad():
        a, _ = model(*args)
        b, _ = model(*args)
    assert torch.equal(a, b)


def test_prediction_depends_on_the_reference_mask(tiny_cfg):
    model = build_iris(tiny_cfg.model).eval()
    g = tiny_cfg.model.grid_size
    img, query = torch.randn(1, 1, g, g, g), torch.randn(1, 1, g, g, g)
    m1 = torch.zeros(1, 1, g, g, g)
    m1[..., 1:6, 1:6, 1:6] = 1
    m2 = torch.zeros(1, 1, g, g, g)
    m2[..., 18:30, 18:30, 18:30] = 1
    with torch.no_grad():
        a, _ = model(img, m1, query)
        b, _ = model(img, m2, query)
    assert not torch.allclose(a, b)


def test_presets_sizes():
    small = build_iris(preset("small").model)
    n_small = sum(p.numel() for p in small.parameters())
    assert n_small <= 8_000_000
    assert preset("small").model.grid_size in range(64, 97)
    assert preset("paper").model.channels == (32, 64, 128, 256, 512)
    assert preset("paper").model.grid_size == 128


def test_embedding_size_is_checked(tiny_cfg):
    model = build_iris(tiny_cfg.model)
    g = tiny_cfg.model.grid_size
    feats = model.encode_image(torch.randn(1, 1, g, g, g))
    with pytest.raises(ValueError, match="embedding"):
        model.decode(feats, torch.zeros(1, 1, model.embedding_dim + 1))


def test_task_scales_below_the_output_scale_are_refused():
    with pytest.raises(ValueError, match="output_scale"):
        tiny_config(channels=(4, 8, 8, 8), blocks_per_stage=(0, 1, 1, 1), decoder_blocks=(1, 1, 0), output_scale=1)
