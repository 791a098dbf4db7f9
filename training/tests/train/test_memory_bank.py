import numpy as np
import pytest
import torch

from irisseg.train.memory_bank import MemoryBank, exported_classes, read_exported, write_exported


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


def _bank_with(updates: dict[str, int], dim: int = 4) -> MemoryBank:
    bank = MemoryBank(0.9)
    for i, (name, n) in enumerate(updates.items()):
        for _ in range(n):
            bank.update(name, torch.full((dim,), float(i)))
    return bank


def test_an_export_keeps_single_classes_folded_in_often_enough():
    bank = _bank_with({"hippocampus/t1/anterior": 25, "hippocampus/t1/anterior+posterior": 30,
                       "fetal/t2/csf": 3, "synthseg/brain/label_509": 40,
                       "voxelmorph/brain/Left-Putamen": 20})
    ids = [c["id"] for c in exported_classes(bank, min_updates=20)]
    assert ids == ["hippocampus/t1/anterior", "voxelmorph/brain/Left-Putamen"]


def test_an_exported_bank_reads_back_row_for_row(tmp_path):
    bank = _bank_with({"hippocampus/t1/anterior": 21, "hippocampus/t1/posterior": 40})
    block = write_exported(bank, tmp_path, min_updates=20)
    assert block["classes"][0] == {"id": "hippocampus/t1/anterior", "dataset": "hippocampus", "view": "t1",
                                   "name": "anterior", "updates": 21}
    rows = np.load(tmp_path / block["file"])
    assert rows.dtype == np.dtype("<f4") and rows.shape == (2, 4)
    back = read_exported(tmp_path, {"memory_bank": block})
    assert list(back) == ["hippocampus/t1/posterior", "hippocampus/t1/anterior"]  # most-updated first
    assert torch.equal(back["hippocampus/t1/anterior"], bank.get("hippocampus/t1/anterior"))


def test_a_model_without_a_bank_reads_as_empty(tmp_path):
    assert read_exported(tmp_path, {}) == {}
