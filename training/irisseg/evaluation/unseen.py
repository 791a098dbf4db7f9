"""The unseen-structure suite: structures that are never a training target
(:data:`irisseg.data.splits.UNSEEN_CLASSES`), each segmented from references of the same structure.
Every task is read from the ORIGINAL NIfTI files (canonical RAS+, native resolution).

- ``thalamus`` (left, right): SynthSeg-style renders of the held-out label maps -> the real
  voxelmorph T1 (:mod:`irisseg.evaluation.thalamus`); the copy test is the voxelmorph T1 as its own
  reference.
- ``brats`` whole tumour (labels 1-4), FLAIR: leave-one-out over the four subjects (each the query
  once, the other three the references: one-shot and ensembles of up to 3).
- ``brats_enhancing`` enhancing tumour (label 4), T1c: the same leave-one-out (a small, scattered
  part of the tumour, in the contrast that shows it).
- ``totalseg_ct_to_mr`` and ``totalseg_mr_to_ct``: spleen, pancreas and the adrenal glands (left and
  right together; small), one modality's scan as the reference of the other's. One reference per
  direction: one-shot, floor and copy test only (no ensemble, no retrieval).
- ``fetal`` corpus callosum (thin), fetal atlas T2: each held-out week
  (:data:`irisseg.data.splits.FETAL_VALIDATION`) is the query once, the other 14 atlas weeks the
  references (ensembles of 3, 5 and 10 possible).

The copy test (:mod:`irisseg.evaluation.copytest`) runs on every query of every task.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from irisseg.data import splits
from irisseg.data.sources import read_brats, read_totalsegmentator
from irisseg.evaluation.cases import Task
from irisseg.evaluation.heldout import to_subject

BRATS_CLASSES = ("whole tumour",)
BRATS_CONTRAST = "flair"
BRATS_ENHANCING_CLASSES = ("enhancing tumour",)
BRATS_ENHANCING_LABEL = 4
BRATS_ENHANCING_CONTRAST = "t1c"
TOTALSEG_ORGANS = ("spleen", "pancreas", "adrenal glands")
FETAL_CLASSES = ("corpus callosum",)
#: Queries of the quick (CI-sized) fetal task, and its pool of other weeks.
FETAL_QUICK_QUERIES = 1
FETAL_QUICK_POOL = 5
UNSEEN_TASKS = ("thalamus", "brats", "totalseg", "fetal")


def _brats_leave_one_out(data_root: Path, dataset: str, class_names: tuple[str, ...], groups, contrast: str,
                         contrast_name: str, quick: bool) -> Task:
    """A BraTS task in one contrast, leave-one-out over every subject; ``quick``: the validation subject
    is the only query (references: the other three)."""
    subjects = [to_subject(s, groups, contrast) for s in read_brats(Path(data_root) / "brats")]
    queries = [s for s in subjects if s.name in splits.BRATS_VALIDATION] if quick else subjects
    return Task(
        dataset=dataset,
        class_names=class_names,
        queries=queries,
        references=subjects,
        unseen=True,
        notes=(f"unseen structure; {contrast_name}; leave-one-out: each of {len(queries)} subjects the query once, "
               f"the other {len(subjects) - 1} its references"),
    )


def brats_task(data_root: Path, quick: bool = False) -> Task:
    """BraTS whole tumour on FLAIR, leave-one-out over every subject."""
    return _brats_leave_one_out(data_root, "brats", BRATS_CLASSES, (splits.UNSEEN_CLASSES["brats"]["whole tumour"],),
                                BRATS_CONTRAST, "FLAIR", quick)


def brats_enhancing_task(data_root: Path, quick: bool = False) -> Task:
    """BraTS enhancing tumour (label 4) on T1c, leave-one-out like :func:`brats_task`."""
    return _brats_leave_one_out(data_root, "brats_enhancing", BRATS_ENHANCING_CLASSES, ((BRATS_ENHANCING_LABEL,),),
                                BRATS_ENHANCING_CONTRAST, "T1c", quick)


def totalseg_tasks(data_root: Path) -> list[Task]:
    """``totalseg_ct_to_mr`` (reference CT, query MR) and ``totalseg_mr_to_ct``."""
    labels = splits.UNSEEN_CLASSES["totalseg"]
    groups = [labels[o] for o in TOTALSEG_ORGANS]
    scans = {s.subject_id: to_subject(s, groups) for s in read_totalsegmentator(Path(data_root) / "totalsegmentator")}
    tasks = []
    for ref, query in (("ct", "mr"), ("mr", "ct")):
        tasks.append(Task(
            dataset=f"totalseg_{ref}_to_{query}",
            class_names=TOTALSEG_ORGANS,
            queries=[scans[query]],
            references=[scans[ref]],
            unseen=True,
            notes=(f"unseen organs; reference: the {ref.upper()} scan, query: the {query.upper()} scan "
                   "(one reference: no ensemble, no retrieval)"),
        ))
    return tasks


def gestational_week(name: str) -> int:
    """Gestational week of an atlas folder name (``fetal_SB_atlas_GA27_operated`` -> 27)."""
    return int(name.split("_GA")[1].split("_")[0])


def fetal_task(data_root: Path, quick: bool = False) -> Task:
    """Fetal corpus callosum: the held-out weeks as queries, every other atlas week as references.
    ``quick``: the middle held-out week against its :data:`FETAL_QUICK_POOL` nearest weeks."""
    from irisseg.data.sources import read_fetal_atlas  # imported here: the reader is newer than the rest

    groups = (splits.UNSEEN_CLASSES["fetal"]["corpus callosum"],)
    held_out = list(splits.FETAL_VALIDATION)
    if quick:
        held_out = sorted(held_out, key=gestational_week)[len(held_out) // 2:][:FETAL_QUICK_QUERIES]
    subjects = [to_subject(s, groups) for s in read_fetal_atlas(Path(data_root) / "fetal_brain_atlas")]
    queries = [s for s in subjects if s.name in held_out]
    references = subjects
    if quick:
        week = gestational_week(queries[0].name)
        others = [s for s in subjects if s.name != queries[0].name]
        references = sorted(others, key=lambda s: (abs(gestational_week(s.name) - week), s.name))[:FETAL_QUICK_POOL]
    pool = len(references) - (0 if quick else 1)
    return Task(
        dataset="fetal",
        class_names=FETAL_CLASSES,
        queries=queries,
        references=references,
        unseen=True,
        notes=(f"unseen thin structure; T2 atlas; {len(queries)} held-out week(s), each the query once; "
               f"references: {pool} other atlas weeks"),
    )


def unseen_tasks(data_root: Path, names: list[str], quick: bool = False, seed: int = 0,
                 log: Callable[[str], None] = print) -> list[Task]:
    """The suite's tasks among ``names`` (a subset of :data:`UNSEEN_TASKS`), in that order."""
    tasks: list[Task] = []
    for name in names:
        if name == "thalamus":
            from irisseg.evaluation.thalamus import thalamus_task

            task = thalamus_task(data_root, quick=quick, seed=seed)
            if task is None:
                log("  thalamus: skipped (voxelmorph or the held-out SynthSeg label maps not found)")
            else:
                tasks.append(task)
        elif name == "brats":
            tasks += [brats_task(data_root, quick), brats_enhancing_task(data_root, quick)]
        elif name == "totalseg":
            tasks += totalseg_tasks(data_root)
        elif name == "fetal":
            tasks.append(fetal_task(data_root, quick))
        else:
            raise ValueError(f"unknown unseen task {name!r}; known: {', '.join(UNSEEN_TASKS)}")
    return tasks
