import pytest
import torch
import torch.nn.functional as F

from irisseg.model.blocks import MaxPool2


@pytest.mark.parametrize("shape", [(1, 8, 64, 64, 64), (2, 3, 8, 6, 4), (1, 2, 7, 5, 9)])
def test_max_pool_in_inference_equals_the_stock_pool_exactly(shape):
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert torch.equal(MaxPool2()(x), F.max_pool3d(x, 2))


def test_max_pool_scripted_equals_the_stock_pool_exactly():
    x = torch.randn(1, 4, 16, 10, 12)
    with torch.no_grad():
        assert torch.equal(torch.jit.script(MaxPool2())(x), F.max_pool3d(x, 2))


def test_max_pool_with_grad_sends_a_tied_window_s_gradient_to_one_voxel():
    x = torch.zeros(1, 1, 2, 2, 2, requires_grad=True)
    MaxPool2()(x).sum().backward()
    assert x.grad.sum() == 1 and torch.count_nonzero(x.grad) == 1
