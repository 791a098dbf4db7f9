import torch

from irisseg.model import build_iris
from irisseg.model.task_encoder import foreground_token


def per_scale_embedding(task_encoder, features, masks) -> torch.Tensor:
    """The task tokens with each scale pooling the full-grid masks for its own context fusion."""
    parts = []
    b, k = masks.shape[0], masks.shape[1]
    for sid, enc in zip(task_encoder.scale_ids, task_encoder.encoders):
        f = features[sid]
        fg = foreground_token(f, masks).flatten(0, 1).unsqueeze(1)
        ctx = enc.context(f, masks).flatten(2).transpose(1, 2)
        tokens = torch.cat([fg, enc.queries.expand(b * k, -1, -1)], dim=1)
        for sa1, ca, sa2 in zip(enc.sa1, enc.ca, enc.sa2):
            tokens = sa2(ca(sa1(tokens), ctx))
        tokens = torch.cat([tokens[:, :1] + fg, tokens[:, 1:]], dim=1)
        parts.append(tokens.reshape(b, k, -1))
    return torch.cat(parts, dim=2)


def test_task_encoding_pools_the_context_masks_once_with_the_same_result(tiny_cfg):
    tiny_cfg.model.context_divisor = 2
    model = build_iris(tiny_cfg.model).eval()
    g = tiny_cfg.model.grid_size
    image = torch.randn(1, 1, g, g, g)
    masks = (torch.rand(1, 3, g, g, g) > 0.6).float()
    with torch.no_grad():
        features = model.encode_image(image)
        embedding = model.task_encoder(features, masks)
        tokens = per_scale_embedding(model.task_encoder, features, masks)
    assert model.task_encoder.context_grid == g // 2
    assert torch.allclose(embedding[..., :tokens.shape[-1]], tokens, atol=1e-6)
