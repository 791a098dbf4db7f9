import pytest
import torch
import torch.nn.functional as F

from irisseg.model.blocks import MaxPool2, PointwiseLift


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


def pointwise_reference(lift: PointwiseLift, x: torch.Tensor) -> torch.Tensor:
    """The 1x1x1 convolution ``lift`` computes, written as the stock convolution."""
    return F.conv3d(x, lift.weight[:, :, None, None, None], lift.bias)


@pytest.mark.parametrize("cin,cout,batch", [(1, 8, 1), (2, 8, 6), (8, 8, 2), (8, 1, 3)])
def test_pointwise_lift_equals_a_1x1x1_convolution(cin, cout, batch):
    torch.manual_seed(0)
    lift = PointwiseLift(cin, cout)
    with torch.no_grad():
        lift.bias.normal_()
    x = torch.randn(batch, cin, 9, 6, 5)
    with torch.no_grad():
        assert torch.allclose(lift(x), pointwise_reference(lift, x), atol=1e-6)
        assert torch.allclose(torch.jit.script(lift)(x), pointwise_reference(lift, x), atol=1e-6)


def test_pointwise_lift_takes_a_non_contiguous_input():
    lift = PointwiseLift(3, 4)
    x = torch.randn(2, 5, 4, 3, 3).transpose(1, 4)[:, :3]  # [2, 3, 4, 3, 5], strided
    with torch.no_grad():
        assert torch.allclose(lift(x), pointwise_reference(lift, x.contiguous()), atol=1e-6)


def test_pointwise_lift_gradients_equal_those_of_the_convolution():
    torch.manual_seed(0)
    lift = PointwiseLift(2, 8)
    x = torch.randn(3, 2, 4, 4, 4, requires_grad=True)
    (lift(x) ** 2).sum().backward()
    grads = [t.grad.clone() for t in (x, lift.weight, lift.bias)]
    for t in (x, lift.weight, lift.bias):
        t.grad = None
    (pointwise_reference(lift, x) ** 2).sum().backward()
    for g, t in zip(grads, (x, lift.weight, lift.bias)):
        assert torch.allclose(g, t.grad, atol=1e-4)
