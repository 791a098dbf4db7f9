"""Episodes from a small real pack: shapes, pairing, held-out data, determinism, workers."""
from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from irisseg.config import DataConfig, preset
from irisseg.data import splits
from irisseg.data.episodes import EpisodeDataset, EpisodeSampler, is_lateral
from irisseg.data.pack import build_pack
from irisseg.data.pack_format import Pack
from tests.conftest import DATA_ROOT, skip_without

GRID = 32
TRAINING_ROOT = Path(__file__).resolve().parents[2]


def small_data_root(root: Path, full: bool = False) -> Path:
    """A data folder of real files: hippocampus and TotalSegmentator as they are, and four SynthSeg-like
    label maps cut from the voxelmorph aseg (the real maps are 256^3: too slow for a unit test).
    ``full`` adds the voxelmorph brain and two BraTS subjects (one of them the validation subject)."""
    for name in ("hippocampus", "totalsegmentator") + (("voxelmorph",) if full else ()):
        (root / name).symlink_to(DATA_ROOT / name)
    if full:
        (root / "brats").mkdir()
        (root / "brats" / "labels.json").symlink_to(DATA_ROOT / "brats" / "labels.json")
        for subject in ("brats_2013_pat0003_1", "brats_2013_pat0006_1"):
            (root / "brats" / subject).symlink_to(DATA_ROOT / "brats" / subject)
    maps = root / "synthseg_label_maps"
    maps.mkdir()
    aseg = nib.load(str(DATA_ROOT / "voxelmorph" / "test_scan_aseg.nii.gz"))
    data = np.asanyarray(aseg.dataobj)
    for name, shift in (("training_seg_01", 0), ("training_seg_02", 4), ("training_seg_03", 8), ("training_seg_19", 2)):
        cut = np.ascontiguousarray(data[shift::2, ::2, shift::2])
        nib.save(nib.Nifti1Image(cut.astype(np.int16), np.diag([2.0, 2.0, 2.0, 1.0])), str(maps / f"{name}.nii.gz"))
    return root


def make_pack(tmp_path_factory, full: bool) -> Pack:
    skip_without(DATA_ROOT / "hippocampus")
    root = small_data_root(tmp_path_factory.mktemp("data"), full)
    out = tmp_path_factory.mktemp("pack")
    build_pack(root, out, grid=GRID, limit=10, log=lambda *_: None)
    return Pack(out)


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Pack:
    """Hippocampus (10 subjects, 2 held out), TotalSegmentator CT + MR, 4 label maps (1 held out)."""
    return make_pack(tmp_path_factory, full=False)


@pytest.fixture(scope="module")
def full_pack(tmp_path_factory) -> Pack:
    """The small pack plus voxelmorph and two BraTS subjects (one held out)."""
    return make_pack(tmp_path_factory, full=True)


def settings(kinds: dict[str, float] | None = None, **overrides) -> DataConfig:
    """Data settings with ``kind_weights`` = ``kinds`` (default: every kind, as configured)."""
    if kinds is not None:
        overrides["kind_weights"] = kinds
    return DataConfig(**overrides)


def test_episode_tensors(pack):
    sampler = EpisodeSampler(settings(k_max=3), GRID, pack)
    for n in range(6):
        e = sampler(np.random.default_rng(n))
        assert e["ref_image"].shape == e["query_image"].shape == (1, GRID, GRID, GRID)
        assert e["ref_masks"].shape == e["query_masks"].shape == (3, GRID, GRID, GRID)
        assert e["ref_image"].dtype == e["ref_masks"].dtype == torch.float32
        assert e["class_valid"].dtype == torch.bool and e["class_valid"].shape == (3,)
        assert e["class_valid"].any()
        assert set(e["ref_masks"].unique().tolist()) <= {0.0, 1.0}
        k = int(e["class_valid"].sum())
        assert (e["ref_masks"][e["class_valid"]].flatten(1).sum(1) > 0).all()
        assert (e["ref_masks"][~e["class_valid"]] == 0).all() and (e["query_masks"][~e["class_valid"]] == 0).all()
        assert len(e["class_names"]) == 3 and all(e["class_names"][:k])
        # normalised: zero mean, unit spread
        assert abs(e["ref_image"].mean().item()) < 1e-3 and abs(e["query_image"].std().item() - 1) < 1e-2


def assert_training_only(pack: Pack, episodes: int, seed: int, **overrides) -> tuple[set, set]:
    """Draw episodes; none may touch a validation item or have an unseen structure as a class."""
    val_keys = set(pack.keys(split="val"))
    unseen_names = {n for d in splits.UNSEEN_CLASSES.values() for n in d}
    sampler = EpisodeSampler(settings(**overrides), GRID, pack)
    kinds, datasets = set(), set()
    for n in range(episodes):
        e = sampler(np.random.default_rng([seed, n]))
        kinds.add(e["kind"])
        for side in ("ref", "query"):
            assert e[side] not in val_keys
            if e[side] in pack.items:
                datasets.add(pack.items[e[side]]["dataset"])
        for name in filter(None, e["class_names"]):
            assert name not in unseen_names
            assert "Thalamus" not in name and "tumour" not in name
            if e["kind"] == "real":
                meta = pack.items[e["ref"]]
                for part in name.split("+"):  # a merged class names its parts
                    assert meta["classes"][part]["training"]
                    allow = splits.TRAINING_CLASS_ALLOWLIST.get(meta["dataset"])
                    if allow is not None:  # BraTS: only the brain mask
                        assert part in allow
                    else:
                        assert not set(meta["classes"][part]["labels"]) & splits.UNSEEN_LABELS.get(meta["dataset"], set())
    return kinds, datasets


def test_training_episodes_never_see_validation_subjects_or_unseen_structures(pack):
    val_keys = set(pack.keys(split="val"))
    assert sum(k.startswith("hippocampus/") for k in val_keys) == 2 and "synthseg/training_seg_19" in val_keys
    labels = pack.load("synthseg/training_seg_01").labels
    assert (labels == 10).any() and (labels == 49).any()  # the thalamus is there, ignored in the loss
    kinds, datasets = assert_training_only(pack, 40, 7, kinds={"real": 0.5, "synthseg": 0.35, "shapes": 0.15})
    assert kinds == {"real", "synthseg", "shapes"}
    assert datasets == {"hippocampus", "totalseg", "synthseg"}


@pytest.mark.slow
def test_brats_and_voxelmorph_episodes_keep_tumour_and_thalamus_unseen(full_pack):
    assert "brats/brats_2013_pat0006_1" in full_pack.keys(split="val")
    kinds, datasets = assert_training_only(full_pack, 40, 8, kinds={"real": 1.0},
                                           dataset_weights={"brats": 1.0, "voxelmorph": 1.0})
    assert datasets == {"brats", "voxelmorph", "synthseg"}  # synthseg: voxelmorph's cross pairs


def test_reference_and_query_are_different_subjects(pack):
    sampler = EpisodeSampler(settings(kinds={"real": 1.0}, cross_pair_prob=0.0, crop_prob=0.0), GRID, pack)
    multi = {d for d, views in sampler.tasks.real.items()
             if len({pack.items[k]["subject"] for k in views["whole"]}) > 1}
    assert multi == {"hippocampus", "totalseg"}
    for n in range(25):
        e = sampler(np.random.default_rng([3, n]))
        ref, query = pack.items[e["ref"]], pack.items[e["query"]]
        assert ref["view"] == query["view"] and ref["family"] == query["family"]
        if ref["dataset"] in multi:
            assert ref["subject"] != query["subject"]
        else:  # single-subject set in this split: another augmentation of the same subject
            assert e["ref"] == e["query"]
            assert not torch.equal(e["ref_image"], e["query_image"])


def test_a_self_pair_shows_the_reference_scan_re_posed_as_the_query(pack):
    sampler = EpisodeSampler(settings(kinds={"real": 1.0}, cross_pair_prob=0.0, crop_prob=0.0, self_pair_prob=1.0,
                                      task_augment_prob=0.0), GRID, pack)
    for n in range(8):
        e = sampler(np.random.default_rng([5, n]))
        assert e["ref"] == e["query"] and "/self:" in e["task"]
        assert not torch.equal(e["ref_image"], e["query_image"])


def test_a_self_pair_may_be_re_posed_by_any_rotation_or_mirror_of_the_cube(pack):
    data = settings(kinds={"real": 1.0}, cross_pair_prob=0.0, self_pair_prob=1.0, self_pair_pose="any",
                    dataset_weights={"totalseg": 1.0})
    drawer = EpisodeSampler(data, GRID, pack).tasks
    mirrored_off_the_left_right_axis = 0
    for n in range(12):
        ref, query, _, task = drawer.draw("real", np.random.default_rng([7, n]), torch.Generator().manual_seed(n))
        assert "/self:" in task and query.crop
        # before its crop, the query is the reference in one of the 47 other poses of the cube
        poses = {(flips, order): ref.masks.flip(tuple(a + 1 for a in flips)).permute(0, *(a + 1 for a in order))
                 for order in itertools.permutations(range(3))
                 for flips in itertools.chain.from_iterable(itertools.combinations(range(3), r) for r in range(4))}
        matches = [pose for pose, masks in poses.items() if torch.equal(masks, query.masks)]
        assert matches and matches != [((), (0, 1, 2))]
        mirrored_off_the_left_right_axis += any(set(flips) & {1, 2} for flips, _ in matches)
    assert mirrored_off_the_left_right_axis > 0


def test_a_re_pose_keeps_handedness_where_asked():
    from irisseg.data.poses import re_pose
    rng = np.random.default_rng(0)
    for _ in range(50):
        flips, order = re_pose(rng, proper=True)
        matrix = np.eye(3)[list(order)] @ np.diag([-1.0 if a in flips else 1.0 for a in range(3)])
        assert np.linalg.det(matrix) > 0 and (order != (0, 1, 2) or flips)
    assert any(np.linalg.det(np.eye(3)[list(o)] @ np.diag([-1.0 if a in f else 1.0 for a in range(3)])) < 0
               for f, o in (re_pose(rng, proper=False) for _ in range(50)))


def test_permuting_a_subject_moves_its_mirror_axes_with_its_axes():
    from irisseg.data.poses import permuted
    from irisseg.data.tasks import Subject
    s = Subject("k", torch.zeros(2, 3, 4), torch.zeros(1, 2, 3, 4, dtype=torch.bool), (0,), torch.zeros(2, 3, 4, dtype=torch.bool))
    p = permuted(s, (2, 0, 1))
    assert p.image.shape == (4, 2, 3) and p.flip_axes == (1,)


def test_hippocampus_is_never_mirrored_front_to_back(pack):
    """Anterior hippocampus lies at larger y (RAS+) than posterior in every subject; mirroring is on."""
    strength = dict(dataset_weights={"hippocampus": 1.0}, class_drop_prob=0.0, merge_prob=0.0, k_max=2,
                    crop_prob=0.0, task_augment_prob=0.0)
    sampler = EpisodeSampler(settings(kinds={"real": 1.0}, **strength), GRID, pack)
    sampler.s.augment = sampler.s.augment.__class__(rotate_deg=0, flip_prob=1.0)
    seen = 0
    for n in range(20):
        e = sampler(np.random.default_rng([11, n]))
        if e["class_names"][:2] != ["anterior", "posterior"]:
            continue
        seen += 1
        for side in ("ref", "query"):
            m = e[f"{side}_masks"]
            y = [m[j].nonzero().float().mean(0)[1] for j in range(2)]
            assert y[0] > y[1]
    assert seen >= 5


def test_lateral_names():
    assert is_lateral("Left-Caudate") and is_lateral("kidney_right") and not is_lateral("anterior")


def test_episodes_are_reproducible(pack):
    sampler = EpisodeSampler(settings(), GRID, pack)
    for seed in ([1, 0], [1, 5], [2, 9]):
        a, b = sampler(np.random.default_rng(seed)), sampler(np.random.default_rng(seed))
        assert a["task"] == b["task"] and a["ref"] == b["ref"]
        for key in ("ref_image", "ref_masks", "query_image", "query_masks", "class_valid"):
            assert torch.equal(a[key], b[key])
    c, d = sampler(np.random.default_rng([4, 0])), sampler(np.random.default_rng([4, 1]))
    assert not torch.equal(c["ref_image"], d["ref_image"])


def test_synthetic_only_needs_no_pack():
    sampler = EpisodeSampler.from_config(preset("small", model={"grid_size": 32}), synthetic_only=True)
    e = sampler(np.random.default_rng(0))
    assert e["kind"] == "shapes" and e["ref_image"].shape == (1, 32, 32, 32)


def test_from_config_reads_the_data_section(pack):
    cfg = preset("small", model={"grid_size": GRID}, data={"pack_dir": str(pack.root), "k_max": 2,
                                                           "augment": {"rotate_deg": 3.0},
                                                           "dataset_weights": {"totalseg": 1.0}})
    sampler = EpisodeSampler.from_config(cfg)
    assert sampler.s.k_max == 2 and sampler.s.augment.rotate_deg == 3.0 and sampler.tasks.datasets == ["totalseg"]
    assert sampler(np.random.default_rng(0))["ref_masks"].shape[0] == 2


def test_grid_mismatch_is_refused(pack):
    with pytest.raises(ValueError):
        EpisodeSampler(settings(), GRID * 2, pack)


def test_training_path_needs_neither_nibabel_nor_scipy(pack):
    code = (
        "import sys; sys.modules['nibabel'] = None; sys.modules['scipy'] = None\n"
        "import numpy as np\n"
        "from irisseg.config import DataConfig\n"
        "from irisseg.data.episodes import EpisodeSampler\n"
        "from irisseg.data.pack_format import Pack\n"
        f"s = EpisodeSampler(DataConfig(), {GRID}, Pack({str(pack.root)!r}))\n"
        "print(sorted({s(np.random.default_rng(n))['kind'] for n in range(30)}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(TRAINING_ROOT))
    assert result.returncode == 0, result.stderr
    assert "['lesions', 'real', 'shapes', 'supervoxels', 'synthseg']" in result.stdout


@pytest.mark.slow
def test_dataset_stream_is_the_same_with_any_number_of_workers(pack):
    sampler = EpisodeSampler(settings(), GRID, pack)

    def tasks(workers):
        loader = DataLoader(EpisodeDataset(sampler, seed=3, start=2, stop=8), batch_size=None, num_workers=workers)
        return [(e["task"], float(e["ref_image"].sum())) for e in loader]

    single = tasks(0)
    assert len(single) == 6
    assert tasks(2) == single
    resumed = [(e["task"], float(e["ref_image"].sum())) for e in EpisodeDataset(sampler, seed=3, start=5, stop=8)]
    assert resumed == single[3:]


def test_unseen_structures_are_ignored_in_the_loss_not_taught_as_background(pack):
    """SynthSeg maps hold the (unseen) thalamus: its voxels are in the query's ignore mask, never in a target."""
    sampler = EpisodeSampler(settings(kinds={"synthseg": 1.0}, task_augment_prob=0.0), GRID, pack)
    ignored = 0
    for n in range(8):
        e = sampler(np.random.default_rng([21, n]))
        assert e["query_ignore"].shape == (1, GRID, GRID, GRID)
        assert float((e["query_masks"] * e["query_ignore"]).sum()) == 0.0
        ignored += int(e["query_ignore"].sum())
    assert ignored > 0


def test_label_free_tasks_show_one_image_under_two_independent_crops(pack):
    sampler = EpisodeSampler(settings(kinds={"supervoxels": 1.0}, task_augment_prob=0.0), GRID, pack)
    for n in range(6):
        e = sampler(np.random.default_rng([22, n]))
        assert e["kind"] == "supervoxels" and e["ref"] == e["query"]
        assert e["class_valid"].any() and all(name.startswith("supervoxel") for name in filter(None, e["class_names"]))
        assert not torch.equal(e["ref_masks"], e["query_masks"])


def test_supervoxel_queries_keep_the_reference_pose_and_contrast_when_asked(pack):
    def sides(**overrides):
        sampler = EpisodeSampler(settings(kinds={"supervoxels": 1.0}, **overrides), GRID, pack)
        out = []
        for n in range(8):
            ref, query, _, _ = sampler.tasks.draw("supervoxels", np.random.default_rng([25, n]), torch.Generator())
            out.append(torch.equal(ref.image, query.image))
        return out
    assert all(sides(supervoxel_permute_prob=0.0, supervoxel_same_contrast_prob=1.0))
    assert not all(sides())  # by default the query is often permuted or in another contrast


def test_supervoxel_views_are_never_mirrored_when_mirroring_is_off(pack):
    def flip_axes(**overrides):
        sampler = EpisodeSampler(settings(kinds={"supervoxels": 1.0}, **overrides), GRID, pack)
        ref, query, _, _ = sampler.tasks.draw("supervoxels", np.random.default_rng([26, 0]), torch.Generator())
        return ref.flip_axes, query.flip_axes
    assert flip_axes(supervoxel_mirror=False) == ((), ())
    assert flip_axes() == ((0, 1, 2), (0, 1, 2))


def test_supervoxel_poses_leave_the_left_right_axis_alone_when_asked(pack):
    sampler = EpisodeSampler(settings(kinds={"supervoxels": 1.0}, supervoxel_keep_left_right=True,
                                      supervoxel_permute_prob=1.0, supervoxel_same_contrast_prob=1.0), GRID, pack)
    swapped = 0
    for n in range(8):
        ref, query, _, _ = sampler.tasks.draw("supervoxels", np.random.default_rng([27, n]), torch.Generator())
        assert ref.flip_axes == (1, 2) and query.flip_axes == (1, 2)
        same = torch.equal(ref.image, query.image)
        assert same or torch.equal(ref.image.permute(0, 2, 1), query.image)
        swapped += not same
    assert 0 < swapped < 8  # front-back and up-down swapped about half of the time, left-right never moved


def test_a_label_free_query_may_lack_the_target(pack):
    sampler = EpisodeSampler(settings(kinds={"supervoxels": 1.0}, empty_query_prob=1.0, k_max=1,
                                      task_augment_prob=0.0, min_class_voxels=8), GRID, pack)
    episodes = [sampler(np.random.default_rng([23, n])) for n in range(8)]
    small = [e for e in episodes if float(e["ref_masks"][0].sum()) < GRID**3 / 16]  # a corner crop can miss these
    assert len(small) >= 3
    assert sum(float(e["query_masks"][0].sum()) < 8 for e in small) >= len(small) - 1


def test_lesions_are_placed_independently_in_reference_and_query(pack):
    sampler = EpisodeSampler(settings(kinds={"lesions": 1.0}, empty_query_prob=0.0, task_augment_prob=0.0),
                             GRID, pack)
    distances = []
    for n in range(8):
        e = sampler(np.random.default_rng([24, n]))
        assert e["kind"] == "lesions" and e["class_valid"][0]
        ref, query = e["ref_masks"][0], e["query_masks"][0]
        if query.sum() > 0:
            distances.append(float((ref.nonzero().float().mean(0) - query.nonzero().float().mean(0)).norm()))
    assert len(distances) >= 5 and np.median(distances) > GRID / 8


def test_up_to_six_classes_per_episode(pack):
    sampler = EpisodeSampler(settings(kinds={"shapes": 1.0}, k_max=6, class_drop_prob=0.0), GRID, pack)
    counts = {int(sampler(np.random.default_rng([25, n]))["class_valid"].sum()) for n in range(30)}
    assert max(counts) >= 5 and 1 in counts
