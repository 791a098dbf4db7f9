"""Reference checks: swapped, blank and wrong references produce embeddings the decoder accepts."""
import numpy as np
import pytest
import torch

from irisseg.evaluation import honesty

from .helpers import predictor, tiny_task  # noqa: F401  (fixture)


def test_swapped_reference_swaps_the_class_embeddings(predictor):
    ref = tiny_task().references[0]
    plain = predictor.encode_reference(ref.image, ref.masks)
    swapped = honesty.swapped_embedding(predictor, ref)
    # Iris encodes each class independently: swapping masks swaps rows
    torch.testing.assert_close(swapped, plain.flip(0), atol=1e-5, rtol=1e-5)


def test_blank_reference_bypasses_the_empty_mask_check(predictor):
    ref = tiny_task().references[0]
    with pytest.raises(ValueError):
        predictor.encode_reference(ref.image, np.zeros_like(ref.masks))
    blank = honesty.blank_embedding(predictor, ref.image, 2)
    assert blank.shape == (2, predictor.embedding_dim) and torch.isfinite(blank).all()
    probs = predictor.decode(predictor.encode_image(ref.image), blank)
    assert probs.shape == (2, *ref.image.shape)


def test_wrong_reference_is_just_another_reference(predictor):
    task = tiny_task()
    emb = honesty.wrong_embedding(predictor, task.references[1])
    assert emb.shape == (2, predictor.embedding_dim)
