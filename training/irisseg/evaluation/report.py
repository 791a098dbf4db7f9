"""Writes the evaluation report under ``reports/``: ``evaluation.md`` (Markdown tables),
``evaluation.csv`` (mean ± sd per dataset, class and strategy), ``evaluation_cases.csv`` (every
score row), ``evaluation.json`` (headline numbers for the export and the model card) and
``evaluation.png`` (Dice per strategy with the floor, plus one qualitative slice)."""
from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict, fields
from pathlib import Path

import numpy as np

from irisseg.evaluation import runner as r
from irisseg.evaluation import suite
from irisseg.evaluation.suite import NEGLIGIBLE_DICE
from irisseg.evaluation.summary import CHECK_ORDER, STRATEGY_ORDER, Summary, mean_over_classes

DEFINITIONS = """\
- Scores at each query's native resolution in canonical RAS+, probabilities thresholded at 0.5;
  distances in mm from the voxel spacing. HD95 = max of the two directed 95th percentiles of
  surface distances; ASD = mean of both directed surface-distance sets (surface = mask minus its
  6-connected erosion).
- Empty masks: both empty -> Dice 1, HD95/ASD 0; one empty -> Dice 0 and HD95/ASD left out of the
  distance means, counted under "missed" (prediction empty) or "FP" (truth empty).
- floor: the reference's mask resized (nearest) onto the query's voxel grid, physical extent
  ignored; same references as the one-shot draws.
- one_shot: one random reference per draw, draws pooled; ensemble_N: mean of N reference embeddings;
  retrieval: coarse prediction with the mean of the whole pool, the query's predicted object
  encoded, the k most similar pool embeddings (cosine, per class) averaged; tuned: the task
  embedding optimised on a fixed set of references (model frozen), tuned_init: that same set's
  untuned mean embedding.
- copy_test: the query's own scan and masks are its reference; the query is that scan cropped at
  random (70-90% of each axis, the structure kept inside) and mirrored along at least one axis
  (left/right classes: turned by 180 degrees about the left-right axis instead, so that left stays
  left); copy_test_crop: the same crop alone; copy_test_permuted: the same crop turned by a
  90-degree rotation (axes permuted); with --copy-draws N, N independent crops and poses per
  query, pooled. Below about 0.85 the model does not read its reference.
- grid_ceiling: no model, the query's own mask resampled onto the model grid and back as the
  decoder's logits are, thresholded at 0.5: the best Dice any weights can reach on the whole query;
  focused_grid_ceiling: the same inside the box policy's box around the mask (locate, then focus
  at best). A target above a structure's ceiling needs another grid or focus, not more training.
- Unseen structures (never a training target): thalamus on the voxelmorph T1 with SynthSeg-style
  T1-like references, both cropped to their subcortical region box (that crop centres query and
  reference alike, so the thalamus floor is high by construction); BraTS whole tumour on whole FLAIR
  volumes, leave-one-out over the subjects; TotalSegmentator spleen, pancreas and adrenal glands,
  the CT scan as the MR scan's reference and the other way round (one reference: no ensemble, no
  retrieval); fetal corpus callosum, each held-out atlas week against the other weeks. A query is
  never its own reference (except in the copy test); retrieval picks k = min(5, pool - 1).
"""

CHECK_LABELS = {
    r.CHECK_SWAP_SWAPPED: "swapped reference, scored against swapped truth (high = reads the reference)",
    r.CHECK_SWAP_ORIGINAL: "swapped reference, scored against original truth (high = ignores the reference)",
    r.CHECK_WRONG: "reference of other structures, scored against the query's classes (should be low)",
    r.CHECK_BLANK: "all-zero reference masks, scored against the query's classes (should be low)",
    r.GRID_CEILING: "grid ceiling: the query's own mask through the model grid and back (no model; the best any weights reach)",
    r.FOCUSED_GRID_CEILING: "grid ceiling inside the box around the mask (no model; the best locate, then focus reaches)",
    r.COPY_TEST: "copy test: own scan as reference, query re-cropped and mirrored (or turned 180°) (>= 0.85)",
    r.COPY_TEST_CROP: "copy test, the same crop only",
    r.COPY_TEST_PERMUTED: "copy test, the same crop turned by 90° (axes permuted)",
    r.FOCUSED_COPY_TEST: "copy test as located, then focused: reference encoded in its box, query coarse then focused",
}


def _fmt(mean: float, sd: float, digits: int = 3) -> str:
    if mean is None or math.isnan(mean):
        return "–"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def write_csv(path: Path, summaries: list[Summary]) -> None:
    names = [f.name for f in fields(Summary)]
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=names)
        w.writeheader()
        for s in summaries:
            w.writerow({k: (round(v, 5) if isinstance(v, float) else v) for k, v in asdict(s).items()})


def write_cases_csv(path: Path, rows: list[r.Row]) -> None:
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[f.name for f in fields(r.Row)])
        w.writeheader()
        for row in rows:
            w.writerow({k: (round(v, 5) if isinstance(v, float) else v) for k, v in asdict(row).items()})


def _bullets(mapping: dict, indent: int = 0) -> list[str]:
    """Nested Markdown bullets; lists are joined, long lists shortened."""
    lines = []
    pad = "  " * indent
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}- {key}:")
            lines += _bullets(value, indent + 1)
        elif isinstance(value, (list, tuple)):
            items = [str(v) for v in value]
            shown = ", ".join(items if len(items) <= 6 else items[:3] + ["...", items[-1]])
            lines.append(f"{pad}- {key}: {shown}" + (f" ({len(items)})" if len(items) > 6 else ""))
        else:
            lines.append(f"{pad}- {key}: {value}")
    return lines


def _targets_section(head: dict) -> list[str]:
    t = head.get("targets")
    if not t:
        return []

    def v(x, digits=3):
        return "–" if x is None else f"{x:+.{digits}f}" if digits == 4 else f"{x:.{digits}f}"

    def met(x):
        return "–" if x is None else ("met" if x else "missed")

    lines = ["", "## Targets (hippocampus validation, mean Dice over classes)", "",
             "| target | measured | margin | |", "|---|---|---|---|"]
    lines.append(f"| one-shot >= {t['one_shot_dice']['target']} | {v(t['one_shot_dice']['measured'])} | "
                 f"{v(t['one_shot_dice']['margin'], 4)} | {met(t['one_shot_dice']['met'])} |")
    lines.append(f"| ensemble of 5 >= {t['ensemble_5_dice']['target']} | {v(t['ensemble_5_dice']['measured'])} | "
                 f"{v(t['ensemble_5_dice']['margin'], 4)} | {met(t['ensemble_5_dice']['met'])} |")
    tu = t["tuned_above_ensemble_5"]
    lines.append(f"| tuned > ensemble of 5 ({v(tu['ensemble_5'])}) | {v(tu['measured'])} | {v(tu['margin'], 4)} | "
                 f"{met(tu['met'])} |")
    if tu.get("paired_gain") is not None:
        gain = tu["paired_gain"]
        remark = " (negligible: below 0.005 Dice)" if abs(gain) < NEGLIGIBLE_DICE else ""
        lines += ["", f"Tuning gain on the same references (tuned - tuned_init): {v(gain, 4)}{remark}."]
    return lines


def markdown(summaries: list[Summary], header: dict, tuning: dict, timings: dict, head: dict | None = None) -> str:
    lines = ["# Evaluation", ""]
    lines += _bullets(header)
    lines += _targets_section(head or {})
    lines += suite.markdown((head or {}).get("unseen_suite"))
    lines += ["", "## Mean Dice over classes", ""]
    datasets = list(dict.fromkeys(s.dataset for s in summaries))
    present = [st for st in STRATEGY_ORDER if any(s.strategy == st for s in summaries)]
    lines.append("| strategy | " + " | ".join(datasets) + " |")
    lines.append("|---|" + "---|" * len(datasets))
    for st in present:
        cells = []
        for d in datasets:
            v = mean_over_classes(summaries, d, st)
            cells.append("–" if math.isnan(v) else f"{v:.3f}")
        lines.append(f"| {st} | " + " | ".join(cells) + " |")
    lines += ["", "## Per dataset, class and strategy", "",
              "| dataset | class | strategy | n | Dice | IoU | HD95 (mm) | ASD (mm) | missed | FP |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for s in summaries:
        if s.strategy not in STRATEGY_ORDER:
            continue
        name = s.dataset + (" (unseen)" if s.unseen else "")
        lines.append(f"| {name} | {s.class_name} | {s.strategy} | {s.n} | {_fmt(s.dice_mean, s.dice_sd)} | "
                     f"{_fmt(s.iou_mean, s.iou_sd)} | {_fmt(s.hd95_mm_mean, s.hd95_mm_sd, 2)} | "
                     f"{_fmt(s.asd_mm_mean, s.asd_mm_sd, 2)} | {s.missed} | {s.false_positive} |")
    checks = [s for s in summaries if s.strategy in CHECK_ORDER]
    if checks:
        lines += ["", "## Does the model read its reference?", "",
                  "| dataset | class | check | n | Dice |", "|---|---|---|---|---|"]
        for s in checks:
            lines.append(f"| {s.dataset} | {s.class_name} | {CHECK_LABELS.get(s.strategy, s.strategy)} | {s.n} | "
                         f"{_fmt(s.dice_mean, s.dice_sd)} |")
    if tuning:
        lines += ["", "## In-context tuning (loss on the references, Dice + BCE at the grid)", "",
                  "| dataset | set | references | steps | loss before | loss after |", "|---|---|---|---|---|---|"]
        for dataset, sets in tuning.items():
            for i, t in enumerate(sets):
                lines.append(f"| {dataset} | {i} | {len(t['references'])} | {t['steps']} | "
                             f"{t['loss_before']:.4f} | {t['loss_after']:.4f} |")
    if timings:
        lines += ["", "## Wall time", ""]
        lines += [f"- {k}: {v:.0f} s" for k, v in timings.items()]
    lines += ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(lines) + "\n"


def figure(path: Path, summaries: list[Summary], example: dict | None) -> None:
    """Bar chart of mean Dice per strategy and (dataset, class), floor included; one slice overlay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys((s.dataset, s.class_name) for s in summaries if s.strategy in STRATEGY_ORDER))
    strategies = [st for st in STRATEGY_ORDER if any(s.strategy == st for s in summaries)]
    fig = plt.figure(figsize=(max(8, 1.6 * len(groups) + 4), 5))
    ax = fig.add_axes([0.06, 0.22, 0.62 if example else 0.9, 0.7])
    width = 0.8 / max(len(strategies), 1)
    palette = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7]  # tab10 without its grey
    for j, st in enumerate(strategies):
        means, sds = [], []
        for d, c in groups:
            match = [s for s in summaries if s.dataset == d and s.class_name == c and s.strategy == st]
            means.append(match[0].dice_mean if match else np.nan)
            sds.append(match[0].dice_sd if match else 0.0)
        x = np.arange(len(groups)) + (j - (len(strategies) - 1) / 2) * width
        colour = "0.6" if st == r.FLOOR else palette[j % len(palette)]
        ax.bar(x, means, width, yerr=sds, label=st, color=colour, capsize=1.5, error_kw={"elinewidth": 0.6})
    ax.set_xticks(np.arange(len(groups)))
    ax.set_xticklabels([f"{d}\n{c}" for d, c in groups], fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Dice (mean ± sd)")
    ax.legend(fontsize=7, ncol=1, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Dice per strategy (grey: copied-mask floor)")
    if example is not None:
        _overlay(fig.add_axes([0.80, 0.22, 0.19, 0.7]), example)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _overlay(ax, example: dict) -> None:
    """Middle axial-ish slice (through the truth's centre) with truth and prediction contours."""
    image, truth, pred = example["image"], example["truth"], example["prediction"] > 0.5
    union = truth.any(axis=0)
    z = int(np.argwhere(union)[:, 2].mean()) if union.any() else image.shape[2] // 2
    ax.imshow(image[:, :, z].T, cmap="gray", origin="lower")
    colours = ["tab:red", "tab:blue", "tab:green", "tab:orange"]
    for k in range(truth.shape[0]):
        colour = colours[k % len(colours)]
        if truth[k, :, :, z].any():
            ax.contour(truth[k, :, :, z].T.astype(float), levels=[0.5], colors=colour, linewidths=1.0)
        if pred[k, :, :, z].any():
            ax.contour(pred[k, :, :, z].T.astype(float), levels=[0.5], colors=colour, linewidths=1.0,
                       linestyles="dashed")
    ax.set_title(f"{example['dataset']} {example['case']}\nsolid truth, dashed prediction", fontsize=7)
    ax.set_xticks([])
    ax.set_yticks([])


def write_report(out: Path, rows: list[r.Row], summaries: list[Summary], headline: dict, header: dict,
                 tuning: dict, timings: dict, example: dict | None) -> dict[str, Path]:
    """Write every report file under ``out``; returns their paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {"md": out / "evaluation.md", "csv": out / "evaluation.csv", "cases": out / "evaluation_cases.csv",
             "json": out / "evaluation.json", "png": out / "evaluation.png"}
    paths["md"].write_text(markdown(summaries, header, tuning, timings, headline))
    write_csv(paths["csv"], summaries)
    write_cases_csv(paths["cases"], rows)
    paths["json"].write_text(json.dumps({**header, **headline, "tuning": {
        d: [{k: v for k, v in t.items() if k != "step_losses"} for t in sets] for d, sets in tuning.items()},
        "timings_s": {k: round(v, 1) for k, v in timings.items()}}, indent=2, default=_json_default) + "\n")
    figure(paths["png"], summaries, example)
    return paths


def _json_default(o):
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o)}")
