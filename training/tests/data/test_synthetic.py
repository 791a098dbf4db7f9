"""SynthSeg-style images and procedural shape tasks."""
from __future__ import annotations

import torch

from irisseg.data.synthetic import Palette, shapes_task, synthseg_image


def label_map(shift: int) -> torch.Tensor:
    """Three nested boxes, shifted per subject: labels 0 (outside), 2, 41, 17."""
    labels = torch.zeros((32, 32, 32), dtype=torch.int64)
    labels[4 + shift:28, 4:28, 4:28] = 2
    labels[8 + shift:24, 8:24, 8:20] = 41
    labels[12:20, 12 + shift:20, 12:18] = 17
    return labels


def test_synthseg_image_shows_the_labels_in_one_contrast():
    gen = torch.Generator().manual_seed(0)
    palette = Palette.random([0, 2, 17, 41], gen)
    means = []
    for shift, pal in ((0, palette), (2, palette.jittered(gen))):
        labels = label_map(shift)
        image = synthseg_image(labels, pal, gen, resolution_max=1.0, bias_max=0.0, noise_max=0.01)
        assert image.shape == (32, 32, 32) and torch.isfinite(image).all()
        means.append(torch.stack([image[labels == v].mean() for v in (0, 2, 17, 41)]))
    # the same palette orders the labels the same way in both subjects
    assert torch.equal(torch.argsort(means[0]), torch.argsort(means[1])) or torch.corrcoef(torch.stack(means))[0, 1] > 0.9


def test_synthseg_palettes_differ_between_tasks():
    a = Palette.random([0, 1, 2], torch.Generator().manual_seed(1))
    b = Palette.random([0, 1, 2], torch.Generator().manual_seed(2))
    assert not torch.allclose(a.means, b.means)


def centroid(mask: torch.Tensor) -> torch.Tensor:
    return mask.nonzero().float().mean(0)


def test_shapes_task_masks_are_visible_and_consistent():
    gen = torch.Generator().manual_seed(5)
    closer_to_own = 0
    total = 0
    for _ in range(4):
        (ri, rm), (qi, qm) = shapes_task(3, 32, gen, min_voxels=10)
        assert ri.shape == qi.shape == (32, 32, 32)
        assert rm.shape == qm.shape and 1 <= rm.shape[0] <= 3 and rm.dtype == torch.bool
        assert (rm.flatten(1).sum(1) >= 10).all() and (qm.flatten(1).sum(1) >= 10).all()
        for j in range(rm.shape[0]):
            own = (centroid(rm[j]) - centroid(qm[j])).norm()
            assert own < 12  # same place, with jitter
            others = [(centroid(rm[j]) - centroid(qm[i])).norm() for i in range(qm.shape[0]) if i != j]
            closer_to_own += sum(own < o for o in others)
            total += len(others)
            # the class is visible: its intensity differs from its surroundings
            ring = torch.nn.functional.max_pool3d(rm[j][None, None].float(), 5, 1, 2)[0, 0].bool() & ~rm[j]
            assert (ri[rm[j]].mean() - ri[ring].mean()).abs() > 0.01
    assert closer_to_own >= 0.8 * total


def test_shapes_task_is_seeded():
    a = shapes_task(2, 24, torch.Generator().manual_seed(9))
    b = shapes_task(2, 24, torch.Generator().manual_seed(9))
    c = shapes_task(2, 24, torch.Generator().manual_seed(10))
    assert torch.equal(a[0][0], b[0][0]) and torch.equal(a[1][1], b[1][1])
    assert not torch.equal(a[0][0], c[0][0])
