"""Reproducible, resumable stream of episode batches.

Episode ``b`` of iteration ``i`` on rank ``r`` is drawn by ``make_episode(rng)`` with
``rng = numpy.random.default_rng([seed, r, i, b])`` (and the global Python/NumPy/torch generators
seeded from the same numbers for the duration of the call, then restored). An episode therefore
depends only on ``(seed, rank, iteration, b)``: not on the number of data-loader workers, nor on
whether the run was interrupted and resumed at iteration ``i``.

``make_episode`` returns one episode (no batch axis)::

    ref_image  [1, G, G, G] float (normalised)    ref_masks   [K, G, G, G] float in [0, 1]
    query_image[1, G, G, G] float (normalised)    query_masks [K, G, G, G] float in [0, 1]
    class_valid [K] bool    task str              class_names list[str] of length K (optional)
    query_ignore [1, G, G, G] float in {0, 1} (optional; zero loss weight; absent = none)
    kind str (optional: the episode's task kind, for per-kind loss logs)

Batches stack them, padding the class axis to the batch's largest ``K`` with empty, invalid slots.
"""
from __future__ import annotations

import random
import warnings
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

EpisodeFn = Callable[[np.random.Generator], dict]

TENSOR_KEYS = ("ref_image", "ref_masks", "query_image", "query_masks", "class_valid", "query_ignore")
CLASS_AXIS_KEYS = ("ref_masks", "query_masks", "class_valid")
#: Stacked when every episode of the batch has them (``DataConfig.correspondence``).
OPTIONAL_TENSOR_KEYS = ("ref_coords", "query_coords")


def episode_seed(seed: int, rank: int, iteration: int, index: int) -> list[int]:
    return [int(seed), int(rank), int(iteration), int(index)]


MAX_REDRAWS = 10


def is_finite_episode(episode: dict) -> bool:
    return all(bool(torch.isfinite(torch.as_tensor(episode[k])).all()) for k in TENSOR_KEYS + OPTIONAL_TENSOR_KEYS
               if k != "class_valid" and k in episode)


def draw_episode(make_episode: EpisodeFn, seed_words: Sequence[int]) -> dict:
    """``make_episode`` under generators seeded by ``seed_words``, redrawn (seed words extended by the
    attempt number) while it holds non-finite values; the global generators are restored after."""
    for attempt in range(MAX_REDRAWS + 1):
        words = list(seed_words) + ([attempt] if attempt else [])
        episode = _draw_once(make_episode, words)
        if is_finite_episode(episode):
            return episode
        warnings.warn(f"episode {words} ({episode.get('task')}, {episode.get('ref')} -> {episode.get('query')}) "
                      "holds non-finite values; drawing another")
    raise FloatingPointError(f"{MAX_REDRAWS + 1} non-finite episodes in a row from seed {list(seed_words)}")


def _draw_once(make_episode: EpisodeFn, seed_words: Sequence[int]) -> dict:
    rng = np.random.default_rng(list(seed_words))
    inner_seed = int(np.random.SeedSequence(list(seed_words)).generate_state(1)[0])
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]):
            random.seed(inner_seed)
            np.random.seed(inner_seed)
            torch.manual_seed(inner_seed)
            return make_episode(rng)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def collate_episodes(episodes: Sequence[dict]) -> dict[str, Any]:
    """Stack single episodes into a batch (``[B, ...]``), padding the class axis to the largest ``K``."""
    k_max = max(int(torch.as_tensor(e["class_valid"]).numel()) for e in episodes)
    batch: dict[str, Any] = {}
    for key in TENSOR_KEYS:
        items = []
        for e in episodes:
            if key == "query_ignore" and key not in e:
                value = torch.zeros_like(torch.as_tensor(e["query_image"]))
            else:
                value = torch.as_tensor(e[key])
            value = value.bool() if key == "class_valid" else value.float()
            missing = k_max - value.shape[0] if key in CLASS_AXIS_KEYS else 0
            if missing > 0:
                pad = value.new_zeros((missing, *value.shape[1:]))
                value = torch.cat([value, pad], dim=0)
            items.append(value)
        batch[key] = torch.stack(items)
    for key in OPTIONAL_TENSOR_KEYS:
        if all(key in e for e in episodes):
            batch[key] = torch.stack([torch.as_tensor(e[key]).float() for e in episodes])
    batch["task"] = [str(e["task"]) for e in episodes]
    batch["kind"] = [str(e.get("kind", "")) for e in episodes]
    names = []
    for e in episodes:
        k = int(torch.as_tensor(e["class_valid"]).numel())
        given = list(e.get("class_names") or [f"class{j}" for j in range(k)])
        names.append(given + [""] * (k_max - len(given)))
    batch["class_names"] = names
    return batch


class _EpisodeIndex(Dataset):
    """Map-style view: item ``j`` is episode ``j % batch_size`` of iteration ``j // batch_size``."""

    def __init__(self, make_episode: EpisodeFn, batch_size: int, seed: int, rank: int, start: int, stop: int):
        self.make_episode = make_episode
        self.batch_size = batch_size
        self.seed = seed
        self.rank = rank
        self.start = start
        self.stop = stop

    def __len__(self) -> int:
        return (self.stop - self.start) * self.batch_size

    def __getitem__(self, j: int) -> dict:
        iteration = self.start + j // self.batch_size
        return draw_episode(self.make_episode, episode_seed(self.seed, self.rank, iteration, j % self.batch_size))


def _one_thread(_worker_id: int) -> None:
    torch.set_num_threads(1)  # workers build episodes side by side; the main process keeps the cores


class EpisodeStream:
    """Batches for iterations ``start, start + 1, ...`` of one rank, optionally built by worker processes."""

    def __init__(self, make_episode: EpisodeFn, batch_size: int, seed: int, rank: int = 0, num_workers: int = 0):
        self.make_episode = make_episode
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.rank = int(rank)
        self.num_workers = int(num_workers)

    def batch(self, iteration: int) -> dict[str, Any]:
        """The batch of one iteration, built in this process."""
        return collate_episodes([
            draw_episode(self.make_episode, episode_seed(self.seed, self.rank, iteration, b))
            for b in range(self.batch_size)
        ])

    def iterate(self, start: int, stop: int) -> Iterator[dict[str, Any]]:
        """Batches of iterations ``start .. stop - 1`` in order."""
        if self.num_workers <= 0:
            for iteration in range(start, stop):
                yield self.batch(iteration)
            return
        loader = DataLoader(
            _EpisodeIndex(self.make_episode, self.batch_size, self.seed, self.rank, start, stop),
            batch_size=self.batch_size,
            shuffle=False,
            num_workers=self.num_workers,
            collate_fn=collate_episodes,
            persistent_workers=False,
            worker_init_fn=_one_thread,
            prefetch_factor=2,
            # A private generator: creating the loader must not consume the global torch RNG,
            # which is part of the resumable training state.
            generator=torch.Generator().manual_seed(self.seed),
        )
        yield from loader
