"""The prototype path: what the embedding carries, and that adding it changes nothing until trained."""
import torch

from irisseg.model import build_iris
from irisseg.model.builder import task_scale_ids

from conftest import tiny_config


def test_embedding_ends_with_foreground_and_background_means_of_each_prototype_scale():
    cfg = tiny_config(prototype_scales=2)
    model = build_iris(cfg.model).eval()
    g = cfg.model.grid_size
    masks = torch.zeros(1, 1, g, g, g)
    masks[0, 0, :16] = 1  # the left half: 1 of the 2 scale-4 voxels, 2 of the 4 scale-3 voxels along axis 0
    with torch.no_grad():
        feats = model.encode_image(torch.randn(1, 1, g, g, g))
        emb = model.encode_task(feats, masks)
    tail = emb[0, 0, -2 * (16 + 16):]  # scales 4 and 3, 16 channels each
    f4, f3 = feats[4][0], feats[3][0]
    assert torch.allclose(tail[:16], f4[:, :1].mean((1, 2, 3)), atol=1e-5)
    assert torch.allclose(tail[16:32], f4[:, 1:].mean((1, 2, 3)), atol=1e-5)
    assert torch.allclose(tail[32:48], f3[:, :2].mean((1, 2, 3)), atol=1e-5)
    assert torch.allclose(tail[48:64], f3[:, 2:].mean((1, 2, 3)), atol=1e-5)


def test_a_fresh_prototype_refiner_barely_changes_the_prediction():
    torch.manual_seed(0)
    with_path = build_iris(tiny_config().model).eval()
    without = build_iris(tiny_config(prototype_scales=0).model).eval()
    missing = without.load_state_dict(with_path.state_dict(), strict=False)
    assert all(k.startswith("decoder.refiner.") for k in missing.unexpected_keys)
    g = 32
    image, query = torch.randn(1, 1, g, g, g), torch.randn(1, 1, g, g, g)
    masks = (torch.rand(1, 2, g, g, g) > 0.8).float()
    with torch.no_grad():
        a, _ = with_path(image, masks, query)
        b, _ = without(image, masks, query)
    assert (a - b).abs().max() < 0.05  # logits; the refiner's output layer starts at std 1e-3


def test_prototypes_follow_the_tokens_in_the_embedding():
    cfg = tiny_config()
    model = build_iris(cfg.model)
    widths = sum(cfg.model.channels[s] for s in task_scale_ids(cfg.model))
    assert model.decoder.token_dim == (cfg.model.num_query_tokens + 1) * widths
    assert model.embedding_dim - model.decoder.token_dim == 2 * sum(cfg.model.channels[s] for s in cfg.model.prototype_scale_ids())
