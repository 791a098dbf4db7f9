"""Reference checks: swapped, blank and wrong references, by their values.

The value checks on predictions use the shipped model (models/iris-small) on real hippocampus
subjects: an untrained model predicts noise, whatever its reference."""
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import torch

from irisseg.data.sources import read_msd
from irisseg.evaluation import heldout, honesty
from irisseg.evaluation.loading import load_predictor
from irisseg.evaluation.metrics import dice
from irisseg.evaluation.strategies import decode

from .helpers import predictor, tiny_task  # noqa: F401  (fixture)

SHIPPED = Path(__file__).resolve().parents[3] / "models" / "iris-small"


@lru_cache(maxsize=None)
def _hippocampus(data_root: Path):
    """Shipped predictor, a query and a reference (two MSD hippocampus subjects)."""
    if not (SHIPPED / "model.json").exists():
        pytest.skip(f"no shipped model at {SHIPPED}")
    subjects = [heldout.to_subject(s, heldout.HIPPOCAMPUS_LABELS)
                for s in read_msd(data_root / "hippocampus", "hippocampus", limit=2)]
    return load_predictor(SHIPPED).predictor, subjects[0], subjects[1]


def test_swapped_reference_swaps_the_class_embeddings(predictor):
    ref = tiny_task().references[0]
    plain = predictor.encode_reference(ref.image, ref.masks)
    swapped = honesty.swapped_embedding(predictor, ref)
    # Iris encodes each class independently: swapping masks swaps rows
    torch.testing.assert_close(swapped, plain.flip(0), atol=1e-5, rtol=1e-5)


def test_blank_reference_bypasses_the_empty_mask_check_and_ignores_the_image_masks(predictor):
    ref = tiny_task().references[0]
    with pytest.raises(ValueError):
        predictor.encode_reference(ref.image, np.zeros_like(ref.masks))
    blank = honesty.blank_embedding(predictor, ref.image, 2)
    assert torch.isfinite(blank).all()
    # both classes are blank: one embedding for both, unlike any real reference's
    torch.testing.assert_close(blank[0], blank[1])
    assert not torch.allclose(blank, predictor.encode_reference(ref.image, ref.masks), atol=1e-3)


def test_blank_reference_predicts_nothing_on_a_real_query(data_root):
    shipped, query, ref = _hippocampus(data_root)
    probs = decode(shipped, shipped.encode_image(query.image), honesty.blank_embedding(shipped, ref.image, 2))
    assert (probs > 0.5).mean() < 1e-3, f"blank reference marks {(probs > 0.5).mean():.2%} of the query"


def test_wrong_reference_misses_the_query_structures(data_root):
    shipped, query, _ = _hippocampus(data_root)
    wrong = heldout.wrong_reference(data_root)  # TotalSegmentator MR kidneys
    probs = decode(shipped, shipped.encode_image(query.image), honesty.wrong_embedding(shipped, wrong))
    scores = [dice(probs[k], query.masks[k]) for k in range(2)]
    assert max(scores) < 0.2, f"kidney reference scores {scores} on the hippocampus"


def test_swapped_reference_segments_the_swapped_classes(data_root):
    shipped, query, ref = _hippocampus(data_root)
    probs = decode(shipped, shipped.encode_image(query.image), honesty.swapped_embedding(shipped, ref))
    as_swapped = [dice(probs[k], query.masks[::-1][k]) for k in range(2)]
    as_original = [dice(probs[k], query.masks[k]) for k in range(2)]
    assert min(as_swapped) > 0.6 and max(as_original) < 0.3, (as_swapped, as_original)
