"""Smooth random fields and blur used by the synthetic generators and augmentation."""
from __future__ import annotations

import torch

from irisseg.data.fields import gaussian_blur, identity_grid, random_rotation, smooth_noise


def test_smooth_noise_is_smooth_and_seeded():
    a = smooth_noise(32, 4, torch.Generator().manual_seed(3), channels=2)
    b = smooth_noise(32, 4, torch.Generator().manual_seed(3), channels=2)
    assert a.shape == (2, 32, 32, 32) and torch.equal(a, b)
    step = (a[:, 1:] - a[:, :-1]).abs().max()
    assert step < 0.5 * a.abs().max()


def test_blur_keeps_constants_and_spreads_a_point():
    const = torch.full((1, 12, 12, 12), 3.0)
    torch.testing.assert_close(gaussian_blur(const, 1.5), const)
    point = torch.zeros((1, 15, 15, 15))
    point[0, 7, 7, 7] = 1
    blurred = gaussian_blur(point, (1.0, 0.0, 2.0))
    assert abs(blurred.sum().item() - 1) < 1e-5
    assert blurred[0, 7, 8, 7] == 0  # no blur along axis 1
    assert blurred[0, 7, 7, 9] > blurred[0, 9, 7, 7] > 0  # wider along axis 2 than along axis 0


def test_rotation_is_orthonormal_and_bounded():
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        r = random_rotation(gen, 10.0)
        torch.testing.assert_close(r @ r.T, torch.eye(3), atol=1e-5, rtol=0)
        angle = torch.rad2deg(torch.arccos(((torch.trace(r) - 1) / 2).clamp(-1, 1)))
        assert angle <= 10.0 + 1e-3


def test_identity_grid_axes():
    g = identity_grid(8)
    assert g.shape == (8, 8, 8, 3)
    assert g[0, 0, 0, 0] < g[7, 0, 0, 0] and g[0, 0, 0, 1] == g[7, 0, 0, 1]
