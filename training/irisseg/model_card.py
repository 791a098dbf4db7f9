"""The model card (``MODEL_CARD.md`` in the model directory) and the evaluation block of model.json.

Both are built from what ``python -m irisseg.evaluate`` wrote (``evaluation.json`` with the headline
numbers, ``evaluation.md`` with the full tables) and from the training summary in ``model.pt``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from irisseg.evaluation.suite import above_ceiling

#: The Java integration test registers 3 hippocampus references and segments 5 other subjects; it
#: must score at least the model's measured 3-reference ensemble Dice minus this margin.


def evaluation_block(report_dir: Path | None) -> dict[str, Any] | None:
    """model.json ``evaluation``: the report's headline numbers. (The service's own Dice test holds fixed
    floors of its own; it never derives a floor from the model's scores.)"""
    if report_dir is None:
        return None
    report = json.loads((report_dir / "evaluation.json").read_text())
    if report.get("ablations"):
        raise ValueError(f"{report_dir} is an ablated evaluation ({', '.join(report['ablations'])}): "
                         "a model card quotes the model as exported")
    return report


def _data_lines(data: dict) -> list[str]:
    """What the run trained on and what it held out: the programme with episode kinds (label-free tasks,
    ignore masks), or the first programme (real + synthetic tasks only) for runs before it."""
    if data.get("kind_weights"):
        return [
            "- data: MSD Task04 hippocampus (160 training subjects), BraTS brain masks (3 subjects),"
            " TotalSegmentator CT/MR organs, a FreeSurfer-labelled T1 brain, 18 SynthSeg label maps,"
            " 12 fetal brain atlas weeks (7 tissues), an unlabelled stroke MRI (T1/T2/FLAIR; supervoxels only)",
            "- held out: 40 hippocampus subjects, one BraTS subject, SynthSeg maps 19-20, fetal atlas weeks"
            " 22, 27 and 32; never a training target, and ignored in the loss (not background): BraTS tumour,"
            " the thalamus, TotalSegmentator spleen, pancreas and adrenal glands, the fetal corpus callosum",
        ]
    return [
        "- data: MSD Task04 hippocampus (160 training subjects), BraTS brain masks (3 subjects),"
        " TotalSegmentator CT/MR organs, a FreeSurfer-labelled T1 brain, 18 SynthSeg label maps",
        "- held out: 40 hippocampus subjects, one BraTS subject, SynthSeg maps 19-20; never a training"
        " target, but present as background in the training label maps: BraTS tumour and the thalamus."
        " TotalSegmentator spleen, pancreas and adrenal glands were training targets of this model (the"
        " unseen suite scores them all the same), and it never saw the fetal atlas",
    ]


def _lineage(started: dict | None) -> list[str]:
    """One line per earlier run these weights continue (newest first)."""
    lines = []
    while started:
        minutes = (started.get("elapsed_s") or 0) / 60
        lines.append(f"- continued from `{started.get('source')}`: {started.get('iteration')} iterations,"
                     f" {minutes:.0f} min on {started.get('device') or 'n/a'}")
        started = started.get("started_from")
    return lines


def _kinds(data: dict) -> str:
    """``real 45 %, supervoxels 25 %, ...`` from a training summary's data settings (older runs: a synthetic ratio)."""
    weights = data.get("kind_weights")
    if not weights:
        synthetic = float(data.get("synthetic_ratio", 0))
        weights = {"real": 1 - synthetic, "synthetic": synthetic}
    total = sum(weights.values()) or 1.0
    return ", ".join(f"{k} {v / total:.0%}" for k, v in weights.items())


def _fmt(v: Any) -> str:
    return "n/a" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def _suite_lines(suite: dict[str, Any] | None) -> list[str]:
    """The unseen-structure suite's targets (``evaluation.json`` ``unseen_suite``) as a table."""
    if not suite:
        return []
    lines = ["", "| unseen-structure suite (structures never trained on) | measured | margin | |",
             "|---|---|---|---|"]
    for t in suite.get("targets", []):
        verdict = "not measured" if t["met"] is None else ("met" if t["met"] else "missed")
        margin = "n/a" if t["margin"] is None else f"{t['margin']:+.4f}"
        lines.append(f"| {t['name']} {t['comparison']} {t['target']}{above_ceiling(t)} | {_fmt(t['measured'])} | "
                     f"{margin} | {verdict} |")
    return lines


def _bank_lines(bank: dict[str, Any] | None) -> list[str]:
    """The built-in classes: the memory bank exported with the model (what the model saw in training)."""
    if not bank or not bank.get("classes"):
        return ["", "## Memory bank", "", "None exported: the model offers no built-in classes."]
    by_dataset: dict[str, list[str]] = {}
    for c in bank["classes"]:
        by_dataset.setdefault(c["dataset"], []).append(c["name"])
    history = "; ".join(bank.get("history") or []) or "not recorded"
    return ["", "## Memory bank (built-in classes)", "",
            f"{len(bank['classes'])} classes the model was trained on, each a moving average (momentum"
            f" {bank['momentum']}) of its task embeddings, kept when folded in at least {bank['min_updates']} times."
            " They segment without a reference; their held-out Dice, where the suite has the class, is the"
            f" `memory bank` row beside one-shot above. How the entries were made: {history}.", "",
            *[f"- {d}: {', '.join(sorted(set(names)))}" for d, names in sorted(by_dataset.items())]]


def render(card: dict[str, Any], report_dir: Path | None) -> str:
    """Markdown model card for a model directory's ``model.json`` content."""
    cfg = card["config"]
    train = card.get("training") or {}
    ev = card.get("evaluation") or {}
    hip = ev.get("hippocampus") or {}
    lines = [
        f"# Model card: {card['name']} {card['version']}",
        "",
        "In-context 3D segmentation after Iris (Gao et al., CVPR 2025): a reference image and mask are",
        "encoded into a task embedding; query volumes are segmented with it, without retraining.",
        "",
        "## Model",
        f"- preset `{cfg['preset']}`, {card['parameters']:,} parameters, model grid {card['grid'][0]}^3,"
        f" embedding {card['embedding_dim']} floats per class",
        f"- encoder widths {cfg['model']['channels']}, {cfg['model']['num_query_tokens']} query tokens,"
        f" task encoding at the {cfg['model']['task_scales']} deepest scales",
        f"- preprocessing inside the exported image encoder: {card['normalisation']['resample']};"
        f" {card['normalisation']['intensity']}",
        "- files and SHA-256: see `model.json`",
    ]
    if card.get("rebuilt_from"):
        lines.append(f"- modules scripted again from the weights of {card['rebuilt_from']} (`python -m irisseg.export"
                     " --rebuild-modules`): same weights, faster module code, outputs equal within float rounding"
                     " (the test vectors, checked at 1e-4, are unchanged); the evaluation below was measured on"
                     f" {card['rebuilt_from']}")
    lines += [
        "",
        "## Training",
    ]
    if train.get("iteration"):
        data = train.get("data") or {}
        lines += [
            f"- iterations: {train.get('iteration')} (batch {train.get('batch_size_per_rank')} episodes,"
            f" {train.get('optimizer')}, exported weights: {train.get('weights')})",
            f"- hardware: {train.get('device')}, torch {train.get('torch', 'n/a')}; wall time"
            f" {train.get('elapsed_s', 0) / 60:.0f} min ({train.get('mean_it_per_s', 0):.3f} it/s)",
            f"- episode kinds: {_kinds(data)}; real tasks per dataset {data.get('dataset_weights')}",
            *_lineage(train.get("started_from")),
            *_data_lines(data),
        ]
    else:
        lines.append(f"- not trained: {train.get('note', 'random initialisation')}")
    lines += ["", "## Evaluation (held-out subjects, native resolution)"]
    if hip:
        ens = hip.get("ensemble_dice") or {}
        swap = ev.get("swap_test") or {}
        lines += [
            "",
            "| hippocampus (mean Dice over anterior/posterior) | value |",
            "|---|---|",
            f"| one-shot | {_fmt(hip.get('one_shot_dice'))} |",
            f"| memory bank (built-in class, no reference) | {_fmt(hip.get('memory_bank_dice'))} |",
            *[f"| context ensemble of {n} | {_fmt(ens.get(n))} |" for n in ("1", "3", "5", "10")],
            f"| object-level retrieval | {_fmt(hip.get('retrieval_dice'))} |",
            f"| in-context tuning | {_fmt(hip.get('tuned_dice'))} (from {_fmt(hip.get('tuned_init_dice'))}) |",
            f"| copied-mask floor | {_fmt(hip.get('floor_dice'))} |",
            f"| swapped references, scored as swapped / as unswapped | {_fmt(swap.get('dice_vs_swapped_truth'))}"
            f" / {_fmt(swap.get('dice_vs_original_truth'))} |",
            f"| wrong reference / blank reference | {_fmt(ev.get('wrong_reference_dice'))} /"
            f" {_fmt(ev.get('blank_reference_dice'))} |",
            "",
            "The service's integration test (3-reference ensemble over HTTP, 5 held-out subjects) holds fixed"
            " floors: the published one-shot target 0.82 and 0.80 over HTTP.",
        ]
        for name, unseen in (ev.get("unseen") or {}).items():
            scores = ", ".join(f"{k} {_fmt(v)}" for k, v in unseen.items() if k != "classes")
            lines.append(f"- unseen `{name}` ({', '.join(unseen.get('classes', []))}): {scores}")
    else:
        lines.append("- not evaluated")
    lines += _suite_lines(ev.get("unseen_suite"))
    lines += _bank_lines(card.get("memory_bank"))
    if report_dir is not None and (report_dir / "evaluation.md").exists():
        lines += ["", "## Full report", "", (report_dir / "evaluation.md").read_text().replace("# Evaluation", "### Evaluation", 1)]
    lines += ["", "## Intended use and limits",
              "Research and development use; not a medical device. Scores above are development scores on",
              "the held-out part of small public sets. Reference and query should show the same anatomy with",
              "a similar field of view: every volume is resampled to the model grid whatever its spacing.", ""]
    return "\n".join(lines)
