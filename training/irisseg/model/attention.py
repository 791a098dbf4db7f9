"""Pre-norm transformer pieces used by the task encoder and the decoder's fusion layers."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    """Multi-head attention. q [B, Lq, C], kv [B, Lk, C] -> [B, Lq, C]."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        if dim % heads != 0:
            raise ValueError(f"dim {dim} not divisible by heads {heads}")
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, q: torch.Tensor, kv: torch.Tensor) -> torch.Tensor:
        b, lq, c = q.shape
        lk = kv.shape[1]
        h = self.heads
        qh = self.q(q).reshape(b, lq, h, c // h).transpose(1, 2)
        kh = self.k(kv).reshape(b, lk, h, c // h).transpose(1, 2)
        vh = self.v(kv).reshape(b, lk, h, c // h).transpose(1, 2)
        o = F.scaled_dot_product_attention(qh, kh, vh)
        return self.out(o.transpose(1, 2).reshape(b, lq, c))


class FeedForward(nn.Sequential):
    """LayerNorm -> Linear(4x) -> GELU -> Linear. [B, L, C] -> [B, L, C] (residual added by caller)."""

    def __init__(self, dim: int, expansion: int = 4):
        super().__init__(nn.LayerNorm(dim), nn.Linear(dim, dim * expansion), nn.GELU(), nn.Linear(dim * expansion, dim))


class SelfAttentionLayer(nn.Module):
    """x <- x + SA(LN(x)); x <- x + FFN(x). [B, L, C] -> [B, L, C]."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ffn = FeedForward(dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(x)
        x = x + self.attn(y, y)
        return x + self.ffn(x)


class CrossAttentionLayer(nn.Module):
    """x <- x + CA(LN(x), LN(ctx)); x <- x + FFN(x). x [B, Lq, C], ctx [B, Lk, C] -> [B, Lq, C]."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.norm_q = nn.LayerNorm(dim)
        self.norm_kv = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ffn = FeedForward(dim)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm_q(x), self.norm_kv(ctx))
        return x + self.ffn(x)
