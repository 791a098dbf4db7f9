import pytest
import torch

from irisseg.export import script_modules
from irisseg.model import build_iris
from irisseg.modules import ExportedModules


@pytest.fixture
def pair(tiny_cfg):
    model = build_iris(tiny_cfg.model).eval()
    return ExportedModules(model).eval(), script_modules(model)


def _masks(shape, k):
    m = torch.zeros((1, k) + shape)
    for c in range(k):
        m[0, c, 2 + 3 * c:8 + 3 * c, 3:10, 1 + c:6 + c] = 1
    return m


@pytest.mark.parametrize("shape", [(21, 26, 17), (9, 40, 33), (64, 31, 7)])
def test_torchscript_equals_eager_at_odd_native_sizes(pair, shape):
    eager, scripted = pair
    image = torch.rand((1, 1) + shape) * 500
    masks = _masks(shape, 3)
    query = torch.rand((1, 1) + shape[::-1]) * 500
    with torch.no_grad():
        ref_e = eager.image_encoder(image)
        ref_s = scripted["image_encoder.pt"](image)
        assert torch.equal(ref_e[5], torch.tensor(shape))
        emb_e = eager.task_encoder(*ref_e, masks)
        emb_s = scripted["task_encoder.pt"](*ref_s, masks)
        q_e = eager.image_encoder(query)
        q_s = scripted["image_encoder.pt"](query)
        p_e = eager.mask_decoder(*q_e, emb_e)
        p_s = scripted["mask_decoder.pt"](*q_s, emb_s)
    assert emb_e.shape == (1, 3, eager.mask_decoder.embedding_dim)
    assert p_e.shape == (1, 3) + shape[::-1]
    assert torch.allclose(emb_e, emb_s, atol=1e-5)
    assert torch.allclose(p_e, p_s, atol=1e-5)
    assert float(p_e.min()) >= 0 and float(p_e.max()) <= 1


def test_empty_class_mask_is_refused(pair):
    _, scripted = pair
    image = torch.rand(1, 1, 12, 14, 10)
    masks = _masks((12, 14, 10), 2)
    masks[0, 1] = 0
    feats = scripted["image_encoder.pt"](image)
    with pytest.raises(Exception, match="empty"):
        scripted["task_encoder.pt"](*feats, masks)


def test_mismatched_reference_and_mask_grids_are_refused(pair):
    _, scripted = pair
    feats = scripted["image_encoder.pt"](torch.rand(1, 1, 12, 14, 10))
    with pytest.raises(Exception, match="grid differs"):
        scripted["task_encoder.pt"](*feats, _masks((12, 14, 11), 1))


def test_wrong_image_rank_is_refused(pair):
    _, scripted = pair
    with pytest.raises(Exception, match=r"\[1, 1, X, Y, Z\]"):
        scripted["image_encoder.pt"](torch.rand(1, 12, 14, 10))


def test_wrong_embedding_size_is_refused(pair):
    _, scripted = pair
    feats = scripted["image_encoder.pt"](torch.rand(1, 1, 12, 14, 10))
    with pytest.raises(Exception, match="embedding"):
        scripted["mask_decoder.pt"](*feats, torch.zeros(1, 1, 5))


def _region_modules(model):
    from irisseg.export import script_region_modules
    return script_region_modules(model)


@pytest.mark.parametrize("shape", [(21, 26, 17), (70, 9, 45)])
def test_region_modules_reproduce_the_whole_volume_modules(tiny_cfg, shape):
    model = build_iris(tiny_cfg.model).eval()
    region = _region_modules(model)
    eager = ExportedModules(model).eval()
    image = torch.rand((1, 1) + shape) * 500
    masks = _masks(shape, 2)
    with torch.no_grad():
        feats = eager.image_encoder(image)
        emb = eager.task_encoder(*feats, masks)
        probs = eager.mask_decoder(*feats, emb)
        logits = region["grid_decoder.pt"](*feats, emb)
        assert logits.shape[2:] == (tiny_cfg.model.grid_size,) * 3
        for k in range(2):
            box, whole = region["region_upsampler.pt"](logits[:, k:k + 1], feats[5], torch.tensor([0.0]))
            assert box.tolist() == [0, shape[0], 0, shape[1], 0, shape[2]]
            assert torch.allclose(whole[0, 0], probs[0, k], atol=1e-5)
            threshold = float(probs[0, k].median())
            box, part = region["region_upsampler.pt"](logits[:, k:k + 1], feats[5], torch.tensor([threshold]))
            x0, x1, y0, y1, z0, z1 = box.tolist()
            assert torch.allclose(part[0, 0], probs[0, k, x0:x1, y0:y1, z0:z1], atol=1e-5)
            outside = probs[0, k].clone()
            outside[x0:x1, y0:y1, z0:z1] = 0
            assert float(outside.max()) <= threshold
        box = [1, 2, 0]
        crop = masks[:, :, 1:shape[0] - 1, 2:shape[1], 0:shape[2] - 1]
        objects = region["object_encoder.pt"](*feats, crop, torch.tensor(box))
        assert torch.allclose(objects, emb, atol=1e-4)


def test_a_class_above_the_threshold_nowhere_has_an_empty_box(tiny_cfg):
    region = _region_modules(build_iris(tiny_cfg.model).eval())
    logits = torch.full((1, 1, tiny_cfg.model.grid_size, tiny_cfg.model.grid_size, tiny_cfg.model.grid_size), -5.0)
    box, probs = region["region_upsampler.pt"](logits, torch.tensor([40, 30, 20]), torch.tensor([0.5]))
    assert box.tolist() == [0] * 6 and probs.numel() == 0


def test_an_object_box_outside_the_image_is_refused(pair, tiny_cfg):
    region = _region_modules(build_iris(tiny_cfg.model).eval())
    feats = pair[1]["image_encoder.pt"](torch.rand(1, 1, 12, 14, 10))
    with pytest.raises(Exception, match="outside"):
        region["object_encoder.pt"](*feats, torch.ones(1, 1, 5, 5, 5), torch.tensor([10, 0, 0]))
