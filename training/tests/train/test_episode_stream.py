import pytest
import torch

from irisseg.train.episode_stream import EpisodeStream, collate_episodes, draw_episode
from .fixtures import blob_episode


def test_batches_depend_only_on_seed_rank_and_iteration():
    stream = EpisodeStream(blob_episode, batch_size=2, seed=3)
    straight = list(stream.iterate(0, 4))
    resumed = list(stream.iterate(2, 4))
    for a, b in zip(straight[2:], resumed):
        assert torch.equal(a["query_masks"], b["query_masks"]) and torch.equal(a["ref_image"], b["ref_image"])
    other_rank = EpisodeStream(blob_episode, batch_size=2, seed=3, rank=1).batch(2)
    assert not torch.equal(other_rank["ref_image"], straight[2]["ref_image"])


def test_worker_processes_give_the_same_batches():
    in_process = list(EpisodeStream(blob_episode, 2, seed=1).iterate(5, 8))
    workers = list(EpisodeStream(blob_episode, 2, seed=1, num_workers=2).iterate(5, 8))
    assert len(workers) == 3
    for a, b in zip(in_process, workers):
        assert torch.equal(a["ref_masks"], b["ref_masks"]) and torch.equal(a["class_valid"], b["class_valid"])


def test_drawing_leaves_the_global_generators_alone():
    torch.manual_seed(0)
    before = torch.get_rng_state()

    def uses_torch_rng(rng):
        torch.rand(3)
        return blob_episode(rng)

    draw_episode(uses_torch_rng, [0, 0, 0, 0])
    assert torch.equal(torch.get_rng_state(), before)


def test_collate_pads_the_class_axis_with_invalid_empty_slots():
    import numpy as np

    one = blob_episode(np.random.default_rng(0))
    single = {**one, "ref_masks": one["ref_masks"][:1], "query_masks": one["query_masks"][:1],
              "class_valid": one["class_valid"][:1], "class_names": ["a"]}
    batch = collate_episodes([single, one])
    assert batch["ref_masks"].shape == (2, 2, 16, 16, 16)
    assert batch["class_valid"][0].tolist() == [True, False]
    assert batch["ref_masks"][0, 1].sum() == 0
    assert batch["class_names"][0] == ["a", ""]
    assert batch["task"] == ["blobs", "blobs"]


def test_an_episode_with_non_finite_values_is_redrawn():
    calls = []

    def sometimes_broken(rng):
        episode = blob_episode(rng)
        calls.append(1)
        if len(calls) == 1:
            episode["ref_image"][0, 0, 0, 0] = float("inf")
        return episode

    with pytest.warns(UserWarning, match="non-finite"):
        episode = draw_episode(sometimes_broken, [0, 0, 0, 0])
    assert len(calls) == 2 and torch.isfinite(episode["ref_image"]).all()
