"""Filling the memory bank with frozen weights from the training split of a real (small) pack."""
import torch

from irisseg.config import DataConfig
from irisseg.data.episodes import EpisodeSampler
from irisseg.train.fill_bank import NAMED_KINDS, fill
from irisseg.train.memory_bank import MemoryBank
from tests.data.test_episodes import pack  # noqa: F401  (fixture)
from tests.evaluation.helpers import predictor  # noqa: F401  (fixture)


def _filled(predictor, pack, seed: int) -> MemoryBank:
    sampler = EpisodeSampler(DataConfig(kind_weights=dict(NAMED_KINDS)), pack.grid, pack, split="train")
    return fill(predictor, sampler, MemoryBank(0.9), episodes=6, seed=seed, log=lambda m: None)


def test_filling_folds_named_classes_of_labelled_sets_only(predictor, pack):
    bank = _filled(predictor, pack, seed=0)
    assert len(bank) > 0
    datasets = {name.split("/")[0] for name in bank.names()}
    assert datasets <= {"hippocampus", "totalseg", "synthseg"}
    assert all(len(name.split("/")) == 3 for name in bank.names())


def test_filling_is_a_function_of_the_seed(predictor, pack):
    a, b = _filled(predictor, pack, seed=1), _filled(predictor, pack, seed=1)
    assert a.names() == b.names()
    assert all(torch.equal(a.get(n), b.get(n)) for n in a.names())
