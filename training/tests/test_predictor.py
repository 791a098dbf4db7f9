import numpy as np
import pytest
import torch

from irisseg.model import build_iris
from irisseg.predictor import IrisPredictor, TaskNotSetError


@pytest.fixture
def predictor(tiny_cfg):
    return IrisPredictor(build_iris(tiny_cfg.model))


def _case(shape=(20, 18, 15)):
    rng = np.random.default_rng(0)
    image = rng.uniform(0, 100, shape).astype(np.float32)
    masks = np.zeros((2,) + shape, dtype=np.float32)
    masks[0, 2:8, 2:8, 2:8] = 1
    masks[1, 10:16, 9:15, 6:12] = 1
    return image, masks


def test_predict_before_set_task_is_a_clear_error(predictor):
    with pytest.raises(TaskNotSetError, match="set_task"):
        predictor.predict(np.zeros((10, 10, 10), dtype=np.float32))


def test_encode_once_predict_many(predictor):
    image, masks = _case()
    emb = predictor.encode_reference(image, masks)
    assert emb.shape == (2, predictor.embedding_dim)
    predictor.set_task(emb)
    a = predictor.predict(image)
    b = predictor.predict(image[::-1].copy())
    assert a.shape == (2, 20, 18, 15) and b.shape == (2, 20, 18, 15)
    assert np.array_equal(a, predictor.predict(image))


def test_reference_intensity_scale_and_offset_do_not_change_the_embedding(predictor):
    image, masks = _case()
    e1 = predictor.encode_reference(image, masks)
    e2 = predictor.encode_reference(image * 2 + 5, masks)  # z-scored inside the image encoder
    torch.testing.assert_close(e1, e2, atol=1e-4, rtol=1e-4)


def test_ensemble_of_two_references_predicts_neither_alone(predictor):
    image, masks = _case()
    other = np.roll(masks, 3, axis=1)
    e1, e2 = predictor.encode_reference(image, masks), predictor.encode_reference(image, other)
    predictions = []
    for embedding in (e1, e2, (e1 + e2) / 2, (e1 + e1) / 2):
        predictor.set_task(embedding)
        predictions.append(predictor.predict(image))
    single1, single2, ensemble, repeated = predictions
    np.testing.assert_allclose(repeated, single1, atol=1e-6)  # a reference twice is that reference
    assert np.abs(ensemble - single1).max() > 1e-4 and np.abs(ensemble - single2).max() > 1e-4


def test_reference_errors(predictor):
    image, masks = _case()
    with pytest.raises(ValueError, match="differs"):
        predictor.encode_reference(image, masks[:, :-1])
    masks[1] = 0
    with pytest.raises(ValueError, match="empty"):
        predictor.encode_reference(image, masks)
    with pytest.raises(ValueError, match="embedding must be"):
        predictor.set_task(torch.zeros(2, 3))


def test_decode_is_differentiable_in_the_embedding(predictor):
    image, masks = _case()
    feats = predictor.encode_image(image)
    emb = predictor.encode_reference(image, masks, features=feats).clone().requires_grad_(True)
    predictor.decode(feats, emb).sum().backward()
    assert emb.grad is not None and emb.grad.abs().sum() > 0
    logits = predictor.decode_grid_logits(feats, emb)
    assert logits.shape == (2, 32, 32, 32)
