"""Helpers for trainer tests: a tiny deterministic model config and a procedural episode source."""
from __future__ import annotations

import numpy as np
import torch

from irisseg.config import IrisConfig, preset

TINY_GRID = 16


def tiny_config(**train) -> IrisConfig:
    """A 4-scale model on a 16^3 grid (~67k parameters): a training step takes a few ms on one thread."""
    return preset(
        "small",
        model=dict(base_channels=4, channels=(4, 8, 8, 8), blocks_per_stage=(1, 1, 1, 1), decoder_blocks=(1, 1, 1),
                   embed_dim=4, num_query_tokens=2, task_blocks=1, grid_size=TINY_GRID, output_scale=0),
        train=dict(dict(iterations=8, batch_size=2, warmup=2, checkpoint_every=4, log_every=2, amp=False,
                        num_workers=0, threads=1, weight_ema=0.9, device="cpu"), **train),
    )


def ball(grid: int, centre: np.ndarray, radius: float) -> np.ndarray:
    axes = np.indices((grid, grid, grid), dtype=np.float32)
    dist2 = sum((axes[i] - centre[i]) ** 2 for i in range(3))
    return (dist2 <= radius**2).astype(np.float32)


def blob_episode(rng: np.random.Generator, grid: int = TINY_GRID) -> dict:
    """Two bright balls ("a" and "b"); reference and query place them at different random positions.

    One or two classes are asked for (random), the second slot invalid when only one is.
    """
    def subject():
        masks = []
        for _ in range(2):
            centre = rng.uniform(4, grid - 4, size=3)
            masks.append(ball(grid, centre, rng.uniform(2.0, 3.5)))
        masks = np.stack(masks)
        image = 0.2 * rng.standard_normal((grid,) * 3).astype(np.float32)
        image += masks[0] * 2.0 + masks[1] * 1.0
        return image[None], masks

    ref_image, ref_masks = subject()
    query_image, query_masks = subject()
    valid = np.array([True, bool(rng.random() < 0.5)])
    return dict(ref_image=torch.from_numpy(ref_image), ref_masks=torch.from_numpy(ref_masks),
                query_image=torch.from_numpy(query_image), query_masks=torch.from_numpy(query_masks),
                class_valid=torch.from_numpy(valid), task="blobs", class_names=["a", "b"])
