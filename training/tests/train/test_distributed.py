"""Two CPU processes (gloo) train two steps on different episodes; DDP must leave them with equal weights."""
import os
import socket

import pytest
import torch
import torch.multiprocessing as tmp_mp

from irisseg.train.distributed import init_distributed, shutdown_distributed
from irisseg.train.trainer import Trainer

from .fixtures import blob_episode, tiny_config


def _one_step_config():
    return tiny_config(iterations=2, checkpoint_every=100, weight_ema=0.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world_size: int, port: int, run_dir, out_dir) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank),
                      WORLD_SIZE=str(world_size), LOCAL_RANK=str(rank))
    ctx = init_distributed("cpu")
    try:
        trainer = Trainer(_one_step_config(), run_dir, blob_episode, ctx=ctx, progress=False)
        first_batch = trainer.stream.batch(0)
        trainer.run()
        torch.save({"model": trainer.model.state_dict(), "ref_image": first_batch["ref_image"],
                    "bank": trainer.memory_bank.state_dict()}, out_dir / f"rank{rank}.pt")
    finally:
        shutdown_distributed()


@pytest.mark.slow
def test_two_processes_with_different_data_end_with_identical_weights(tmp_path):
    tmp_mp.spawn(_worker, args=(2, _free_port(), tmp_path / "run", tmp_path), nprocs=2, join=True)
    r0, r1 = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    assert not torch.equal(r0["ref_image"], r1["ref_image"])  # the ranks saw different episodes
    assert all(torch.equal(r0["model"][k], r1["model"][k]) for k in r0["model"])
    # the memory bank holds the embeddings of both ranks' episodes, in the same order on both
    assert r0["bank"]["counts"] == r1["bank"]["counts"]
    assert r0["bank"]["counts"]["blobs/a"] == 8  # 2 iterations x 2 ranks x batch 2, class "a" always valid

    # a single process seeing only rank 0's episodes ends elsewhere: rank 1's gradients were averaged in
    alone = Trainer(_one_step_config(), tmp_path / "alone", blob_episode, progress=False)
    alone.run()
    assert any(not torch.equal(alone.model.state_dict()[k], r0["model"][k]) for k in r0["model"])
    assert (tmp_path / "run" / "last.pt").exists()
