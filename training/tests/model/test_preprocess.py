import pytest
import torch

from irisseg.model.preprocess import (normalise_intensity, quantile, resample_from_grid, resample_to_grid,
                                      upsample_features)


def test_resample_to_grid_handles_larger_and_smaller_axes():
    x = torch.rand(1, 1, 100, 20, 64)
    y = resample_to_grid(x, 32)
    assert y.shape == (1, 1, 32, 32, 32)


def test_resample_to_grid_preserves_constant_and_mean():
    x = torch.full((1, 2, 70, 33, 9), 3.0)
    assert torch.allclose(resample_to_grid(x, 16), torch.full((1, 2, 16, 16, 16), 3.0))


def test_downsampling_keeps_a_single_voxel_visible():
    x = torch.zeros(1, 1, 128, 128, 128)
    x[0, 0, 64, 64, 64] = 1
    assert resample_to_grid(x, 32).max() > 0


def test_resample_from_grid_to_native_size():
    y = resample_from_grid(torch.rand(1, 3, 16, 16, 16), [21, 9, 33])
    assert y.shape == (1, 3, 21, 9, 33)


def test_normalise_intensity_is_robust_zscore():
    x = torch.randn(2, 1, 16, 16, 16) * 50 + 300
    x[0, 0, 0, 0, 0] = 1e6  # an outlier is clipped
    y = normalise_intensity(x)
    assert torch.allclose(y.mean(dim=(1, 2, 3, 4)), torch.zeros(2), atol=1e-4)
    assert torch.allclose(y.std(dim=(1, 2, 3, 4)), torch.ones(2), atol=1e-3)
    assert y.max() < 10


def test_normalise_constant_volume_is_zero():
    assert torch.count_nonzero(normalise_intensity(torch.full((1, 1, 8, 8, 8), 7.0))) == 0


def test_quantile_equals_torch_quantile_at_the_normalisation_percentiles():
    generator = torch.Generator().manual_seed(0)
    rows = [torch.randn(3, 64 ** 3, generator=generator) * 40 + 7,
            torch.randint(0, 5, (2, 4096), generator=generator).float(),  # ties everywhere
            torch.rand(1, 7, generator=generator), torch.rand(1, 2, generator=generator), torch.rand(1, 1)]
    for flat in rows:
        for q in (0.0, 0.005, 0.25, 0.5, 0.995, 1.0):
            assert torch.equal(quantile(flat, q), torch.quantile(flat, q, dim=1)), (tuple(flat.shape), q)


def test_quantile_is_exact_where_the_rank_is_a_whole_number_next_to_an_infinity():
    flat = torch.tensor([[0.0, 1.0, 2.0, 3.0, float("inf")]])
    assert torch.equal(quantile(flat, 0.75), torch.tensor([3.0]))


@pytest.mark.parametrize("shape", [(1, 128, 4, 4, 4), (2, 3, 5, 1, 7), (1, 2, 32, 32, 32)])
def test_doubling_features_in_inference_matches_the_trilinear_kernel(shape):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(2))
    size = [2 * s for s in shape[2:]]
    with torch.no_grad():
        fast, scripted = upsample_features(x, size), torch.jit.script(upsample_features)(x, size)
    want = torch._C._nn.upsample_trilinear3d(x, size, False, None)
    assert fast.shape == want.shape and torch.allclose(fast, want, rtol=0, atol=2e-6)
    assert torch.equal(scripted, fast)


def test_other_feature_sizes_and_training_use_the_trilinear_kernel():
    x = torch.randn(1, 2, 4, 4, 4, requires_grad=True)
    want = torch._C._nn.upsample_trilinear3d(x, [8, 8, 8], False, None)
    assert torch.equal(upsample_features(x, [8, 8, 8]), want)
    with torch.no_grad():
        assert torch.equal(upsample_features(x, [12, 8, 8]), torch._C._nn.upsample_trilinear3d(x, [12, 8, 8], False, None))
