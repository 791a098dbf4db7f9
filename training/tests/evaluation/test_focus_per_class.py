"""One box per class (an evaluation variant of locate, then focus), with a tiny real predictor."""
from __future__ import annotations

import numpy as np

from irisseg import boxes
from irisseg.evaluation.cases import Subject
from irisseg.evaluation.focus import (
    class_reference,
    focused_embedding,
    focused_prediction,
    per_class_focused_prediction,
    per_class_locate_and_focus,
)
from irisseg.evaluation.strategies import decode
from tests.evaluation.helpers import predictor  # noqa: F401 (fixture)
from tests.evaluation.test_focus import large_subject


def far_apart_subject(name: str, seed: int) -> Subject:
    """Two balls 110 mm apart along x in a 160 mm field of view: one box around both is the whole volume."""
    rng = np.random.default_rng(seed)
    shape = (160, 60, 60)
    axes = np.indices(shape, dtype=np.float32)
    masks = []
    for cx in (25.0, 135.0):
        centre = np.array([cx, 30.0, 30.0]) + rng.uniform(-2.0, 2.0, 3)
        masks.append(sum((axes[i] - centre[i]) ** 2 for i in range(3)) <= 4.5 ** 2)
    masks = np.stack(masks)
    image = rng.normal(10.0, 2.0, shape).astype(np.float32) + 30.0 * masks.any(axis=0)
    return Subject(name, image, masks, (1.0, 1.0, 1.0))


def test_with_one_class_it_is_the_one_box_pipeline_exactly(predictor):
    reference, query = class_reference(large_subject("r", 1), 0), class_reference(large_subject("q", 2), 0)
    features = predictor.encode_image(query.image)
    embedding, side = focused_embedding(predictor, reference)
    np.testing.assert_array_equal(per_class_focused_prediction(predictor, reference, query, features),
                                  focused_prediction(predictor, query, features, embedding, side))


def test_with_two_classes_far_apart_each_reference_box_is_around_its_class_only(predictor):
    reference, query = far_apart_subject("r", 1), far_apart_subject("q", 2)
    assert boxes.reference_box(reference.masks, reference.spacing).covers(reference.image.shape)
    passes = per_class_locate_and_focus(predictor, reference, query, predictor.encode_image(query.image))
    for k, p in enumerate(passes):
        inside = np.zeros(reference.image.shape, dtype=bool)
        inside[p.reference_box.slices()] = True
        assert p.side == boxes.MIN_SIDE_MM
        assert inside[reference.masks[k]].all()
        assert not inside[reference.masks[1 - k]].any()


def test_each_class_is_located_and_focused_with_its_own_embedding_and_box(predictor):
    reference, query = far_apart_subject("r", 1), far_apart_subject("q", 2)
    features = predictor.encode_image(query.image)
    passes = per_class_locate_and_focus(predictor, reference, query, features)
    for k, p in enumerate(passes):
        embedding, side = focused_embedding(predictor, class_reference(reference, k))
        np.testing.assert_array_equal(p.focused.coarse, decode(predictor, features, embedding))
        assert p.focused.box == boxes.query_box(p.focused.coarse, query.spacing, side)
    stacked = per_class_focused_prediction(predictor, reference, query, features)
    assert stacked.shape == (2, *query.image.shape)
    np.testing.assert_array_equal(stacked, np.concatenate([p.focused.probabilities for p in passes]))

