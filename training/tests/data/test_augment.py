"""Spatial and intensity augmentation on the grid."""
from __future__ import annotations

import torch

from irisseg.data.augment import NO_AUGMENTATION, AugmentStrength, intensity, spatial, warp


def blob(size=32):
    masks = torch.zeros((2, size, size, size))
    masks[0, 6:14, 10:20, 12:22] = 1
    masks[1, 18:26, 8:16, 6:12] = 1
    image = masks[0] * 2 + masks[1] * 5 + 1
    return image[None], masks


def test_no_augmentation_is_the_identity():
    image, masks = blob()
    gen = torch.Generator().manual_seed(0)
    out_image, out_masks = spatial(image, masks, gen, NO_AUGMENTATION, flip_axes=(0,))
    assert torch.equal(out_image, image) and torch.equal(out_masks, masks)
    assert torch.equal(intensity(image, gen, NO_AUGMENTATION), image)


def test_warp_moves_along_the_axis_it_is_told():
    image, masks = blob()
    theta = torch.zeros(3, 4)
    theta[:, :3] = torch.eye(3)
    theta[0, 3] = 0.25  # sample from +0.25 along axis 0: content moves by -G/8 voxels along axis 0
    moved_image, moved = warp(image, masks, theta)
    assert torch.equal(moved[0, 2:10, 10:20, 12:22], torch.ones(8, 10, 10))
    assert moved[0].sum() == masks[0].sum()
    assert moved_image[0, 2, 12, 14] == image[0, 6, 12, 14]


def test_image_and_masks_move_together():
    image, masks = blob()
    gen = torch.Generator().manual_seed(1)
    strength = AugmentStrength(rotate_deg=20, scale=0.15, translate=0.1, flip_prob=0.5, prob_spatial=1.0)
    for _ in range(3):
        out_image, out_masks = spatial(image, masks, gen, strength, flip_axes=(0, 1, 2))
        assert out_masks.unique().tolist() in ([0.0, 1.0], [0.0])
        inside = out_masks[1].bool()
        # image = 1 + 2 m0 + 5 m1, interpolated with the same weights as the masks: where the moved
        # m1 exceeds 0.5, the moved image exceeds 3.5 (if they moved apart, this would fail)
        assert inside.sum() > 0.5 * masks[1].sum()
        assert (out_image[0][inside] > 3.5 - 1e-4).all()


def test_flips_only_along_permitted_axes():
    image, masks = blob()
    gen = torch.Generator().manual_seed(2)
    strength = AugmentStrength(flip_prob=1.0, prob_spatial=0.0)
    out_image, out_masks = spatial(image, masks, gen, strength, flip_axes=(0,))
    assert torch.equal(out_masks, masks.flip(1)) and torch.equal(out_image, image.flip(1))
    out_image, out_masks = spatial(image, masks, gen, strength, flip_axes=())
    assert torch.equal(out_masks, masks)


def test_intensity_changes_values_not_shape():
    image, _ = blob()
    out = intensity(image, torch.Generator().manual_seed(3), AugmentStrength(prob_intensity=1.0))
    assert out.shape == image.shape and torch.isfinite(out).all()
    assert not torch.equal(out, image)
