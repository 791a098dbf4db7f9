"""The command line shared by the scripts that add a part to committed weights and write a warm-start file
(``scripts/add_prototype_context.py``, ``scripts/add_reference_memory.py``)."""
from __future__ import annotations

import argparse

from irisseg.train.cli import TRAINING_ROOT


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def warm_start_parser(description: str, channels: int, channels_help: str) -> argparse.ArgumentParser:
    """The command line of a script that adds a part to committed weights and writes a warm-start file:
    ``--weights`` (an exported model directory), ``--channels`` (the new part's width, positive), ``--seed``,
    ``--out``."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--weights", default=str(TRAINING_ROOT.parent / "models" / "iris-small-finetune"),
                   help="an exported model directory")
    p.add_argument("--channels", type=_positive, default=channels, help=channels_help)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    return p
