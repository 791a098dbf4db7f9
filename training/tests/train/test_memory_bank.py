import pytest
import torch

from irisseg.train.memory_bank import MemoryBank


def test_first_update_stores_then_moving_average():
    bank = MemoryBank(momentum=0.9)
    bank.update("hippocampus/anterior", torch.tensor([1.0, 0.0]))
    bank.update("hippocampus/anterior", torch.tensor([0.0, 1.0]))
    assert bank.get("hippocampus/anterior").tolist() == pytest.approx([0.9, 0.1])
    assert bank.count("hippocampus/anterior") == 2
    assert "hippocampus/anterior" in bank and len(bank) == 1


def test_save_and_load_round_trip(tmp_path):
    bank = MemoryBank(momentum=0.99)
    bank.update_many(["a/x", "b/y"], torch.randn(2, 5))
    bank.save(tmp_path / "bank.pt")
    loaded = MemoryBank.load(tmp_path / "bank.pt")
    assert loaded.names() == ["a/x", "b/y"]
    assert loaded.momentum == 0.99
    assert torch.equal(loaded.get("b/y"), bank.get("b/y"))


def test_shape_mismatch_is_refused():
    bank = MemoryBank()
    bank.update("a", torch.zeros(3))
    with pytest.raises(ValueError):
        bank.update("a", torch.zeros(4))
