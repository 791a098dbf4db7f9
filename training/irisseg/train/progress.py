"""Progress display: a tqdm bar (iterations per second, loss, lr) or, without tqdm, a line per update."""
from __future__ import annotations

import sys
import time

try:
    from tqdm import tqdm
except ImportError:  # the GPU machine may lack tqdm
    tqdm = None


class ProgressBar:
    def __init__(self, total: int, initial: int = 0, enabled: bool = True) -> None:
        self.enabled = enabled
        self._bar = None
        self._postfix: dict[str, str] = {}
        self._n = initial
        self._total = total
        self._start = time.perf_counter()
        self._initial = initial
        if enabled and tqdm is not None:
            self._bar = tqdm(total=total, initial=initial, unit="it", dynamic_ncols=True, smoothing=0.1)

    def set_postfix(self, **values: str) -> None:
        if not self.enabled:
            return
        self._postfix = values
        if self._bar is not None:
            self._bar.set_postfix(values, refresh=False)
        else:
            rate = (self._n - self._initial) / max(time.perf_counter() - self._start, 1e-9)
            extra = " ".join(f"{k}={v}" for k, v in values.items())
            print(f"[{self._n}/{self._total}] {rate:.3f} it/s {extra}", file=sys.stderr, flush=True)

    def set_total(self, total: int) -> None:
        self._total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def update(self, n: int = 1) -> None:
        self._n += n
        if self._bar is not None:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
