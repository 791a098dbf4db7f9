"""Convolutional building blocks (3x3x3 convs, InstanceNorm, LeakyReLU)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Conv3d(nn.Conv3d):
    """``nn.Conv3d`` that keeps batch-1 CPU inference on oneDNN.

    PyTorch's CPU dispatch sends a batch-1 convolution with a small ``C*D*H`` product to its
    im2col fallback (a heuristic tuned for 2D), which is about 10x slower for 3D volumes. In
    inference (no grad, float32, CPU) this calls oneDNN directly; otherwise the stock path.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.onednn: bool = bool(torch.backends.mkldnn.is_available())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.onednn and not x.is_cuda and x.dtype == torch.float32 and not torch.is_grad_enabled():
            return torch.mkldnn_convolution(x.contiguous(), self.weight, self.bias, self.padding, self.stride,
                                            self.dilation, self.groups)
        return self._conv_forward(x, self.weight, self.bias)


class MaxPool2(nn.Module):
    """``nn.MaxPool3d(2)`` that is ten times faster in CPU inference.

    The aten kernel also computes the argmax of every window, for a backward pass inference never runs.
    Without grad this takes the maximum of neighbouring pairs along each axis in turn (odd trailing
    planes dropped, as the pool does): the same values, exactly. With grad, the stock pool (its gradient
    goes to one voxel of a tied window). [B, C, D, H, W] -> [B, C, D//2, H//2, W//2].
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled():
            return F.max_pool3d(x, 2)
        d, h, w = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2, x.shape[4] // 2 * 2
        x = torch.maximum(x[:, :, 0:d:2], x[:, :, 1:d:2])
        x = torch.maximum(x[:, :, :, 0:h:2], x[:, :, :, 1:h:2])
        return torch.maximum(x[:, :, :, :, 0:w:2], x[:, :, :, :, 1:w:2])


class ConvNormAct(nn.Sequential):
    """conv(k) -> InstanceNorm -> LeakyReLU. [B, Cin, D, H, W] -> [B, Cout, D, H, W]."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__(
            Conv3d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False),
            nn.InstanceNorm3d(out_channels, affine=True),
            nn.LeakyReLU(0.01, inplace=True),
        )


class PointwiseLift(nn.Module):
    """Per-voxel linear map of few channels to more: [B, Cin, ...] -> [B, Cout, ...].

    A 1x1x1 convolution written as a batched matmul. CPU 3D convolutions with fewer than 5 input
    channels fall off the oneDNN path onto a ~10x slower one, so thin inputs (the image, a mask)
    are lifted to 8 channels before the first 3x3x3 convolution. ``baddbmm`` multiplies each batch
    item's ``[Cin, V]`` as it lies; with torch 2.13 on CPU, ``matmul`` of the weight with ``[B, Cin, V]``
    lays it out as ``[B*V, Cin]`` and the product back, two copies of the map (the task encoder's 2 -> 8 -> 1
    context MLP on 32^3 took 7 ms instead of 0.15 ms, a training step 1.14x as long).
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels) / in_channels**0.5)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        y = torch.baddbmm(self.bias.unsqueeze(-1), self.weight.expand(b, -1, -1), x.reshape(b, x.shape[1], -1))
        return y.reshape([b, y.shape[1]] + list(x.shape[2:]))


class Stem(nn.Module):
    """Image stem: pointwise lift to 8 channels, LeakyReLU, then a 3x3x3 conv-norm-act to C0, or
    (``conv=False``, the CPU-friendly choice) a second pointwise layer to C0.

    [B, Cin, G, G, G] -> [B, C0, G, G, G]
    """

    def __init__(self, in_channels: int, out_channels: int, conv: bool = True, lifted: int = 8):
        super().__init__()
        self.lift = PointwiseLift(in_channels, lifted)
        self.act = nn.LeakyReLU(0.01)
        if conv:
            self.out = nn.Sequential(ConvNormAct(lifted, out_channels))
        else:
            self.out = nn.Sequential(PointwiseLift(lifted, out_channels), nn.LeakyReLU(0.01))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act(self.lift(x)))


class PointwiseMLP(nn.Sequential):
    """Two pointwise layers with LeakyReLU: [B, Cin, ...] -> [B, Cout, ...]."""

    def __init__(self, in_channels: int, hidden: int, out_channels: int):
        super().__init__(PointwiseLift(in_channels, hidden), nn.LeakyReLU(0.01), PointwiseLift(hidden, out_channels),
                         nn.LeakyReLU(0.01))


class ResidualBlock(nn.Module):
    """Basic residual block: two 3x3x3 convs with a (1x1x1 projected) identity path.

    [B, Cin, D, H, W] -> [B, Cout, D, H, W]
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv1 = Conv3d(in_channels, out_channels, 3, padding=1, bias=False)
        self.norm1 = nn.InstanceNorm3d(out_channels, affine=True)
        self.conv2 = Conv3d(out_channels, out_channels, 3, padding=1, bias=False)
        self.norm2 = nn.InstanceNorm3d(out_channels, affine=True)
        self.act = nn.LeakyReLU(0.01, inplace=True)
        if in_channels != out_channels:
            self.skip = nn.Sequential(
                Conv3d(in_channels, out_channels, 1, bias=False), nn.InstanceNorm3d(out_channels, affine=True)
            )
        else:
            self.skip = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self.norm1(self.conv1(x)))
        y = self.norm2(self.conv2(y))
        return self.act(y + self.skip(x))


def residual_stage(in_channels: int, out_channels: int, blocks: int) -> nn.Module:
    """``blocks`` residual blocks, the first changing the width; 0 blocks: identity (same width only)."""
    if blocks == 0:
        if in_channels != out_channels:
            raise ValueError("a stage without blocks cannot change the width")
        return nn.Identity()
    layers = [ResidualBlock(in_channels, out_channels)]
    layers += [ResidualBlock(out_channels, out_channels) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


def pixel_shuffle_3d(x: torch.Tensor, s: int) -> torch.Tensor:
    """[B, C*s^3, D, H, W] -> [B, C, D*s, H*s, W*s]."""
    b, cs, d, h, w = x.shape
    c = cs // (s * s * s)
    x = x.reshape(b, c, s, s, s, d, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4)
    return x.reshape(b, c, d * s, h * s, w * s)


def pixel_unshuffle_3d(x: torch.Tensor, s: int) -> torch.Tensor:
    """[B, C, D*s, H*s, W*s] -> [B, C*s^3, D, H, W] (inverse of :func:`pixel_shuffle_3d`)."""
    b, c, ds, hs, ws = x.shape
    d, h, w = ds // s, hs // s, ws // s
    x = x.reshape(b, c, d, s, h, s, w, s).permute(0, 1, 3, 5, 7, 2, 4, 6)
    return x.reshape(b, c * s * s * s, d, h, w)
