import torch

from irisseg.train.checkpoint import atomic_save, cpu_float_state


def test_atomic_save_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "last.pt"
    atomic_save({"a": torch.ones(2)}, path)
    atomic_save({"a": torch.zeros(2)}, path)
    assert torch.equal(torch.load(path)["a"], torch.zeros(2))
    assert [p.name for p in path.parent.iterdir()] == ["last.pt"]


def test_cpu_float_state_copies_as_float32():
    state = {"w": torch.ones(2, dtype=torch.bfloat16), "n": torch.tensor(3)}
    out = cpu_float_state(state)
    assert out["w"].dtype == torch.float32 and out["n"].dtype == torch.int64
    out["w"].add_(1)
    assert state["w"][0].item() == 1.0
