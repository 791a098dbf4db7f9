"""A warm start continues the episode stream of the runs that made its weights instead of drawing it again."""
from irisseg.train.trainer import Trainer
from irisseg.weights import ancestry_iterations

from .fixtures import blob_episode, tiny_config


class Recording:
    """``blob_episode`` that keeps a number drawn first from each episode's generator (which episode it is)."""

    def __init__(self):
        self.drawn = []

    def __call__(self, rng):
        self.drawn.append(float(rng.random()))
        return blob_episode(rng)


def test_ancestry_iterations_add_up_the_chain_and_a_link_without_a_count_adds_nothing():
    chain = {"iteration": 30, "started_from": {"iteration": None, "started_from": {"iteration": 12, "started_from": None}}}
    assert ancestry_iterations(chain) == 42
    assert ancestry_iterations(None) == 0


def test_a_run_from_scratch_starts_its_episodes_at_zero(tmp_path):
    assert Trainer(tiny_config(), tmp_path, blob_episode, progress=False).episode_offset == 0


def test_a_warm_started_run_draws_the_episodes_that_follow_its_parents(tmp_path):
    parent = Trainer(tiny_config(), tmp_path / "parent", blob_episode, progress=False)
    parent.run()
    longer, child = Recording(), Recording()
    Trainer(tiny_config(iterations=16), tmp_path / "longer", longer, progress=False).run()
    warm = Trainer(tiny_config(), tmp_path / "child", child, progress=False)
    warm.load_weights(tmp_path / "parent" / "model.pt")
    assert warm.episode_offset == 8
    warm.run()
    assert len(child.drawn) == 8 * 2
    assert child.drawn == longer.drawn[8 * 2:]  # episodes 8..15 of the stream, none of the parent's 0..7
    assert warm.summary()["episode_offset"] == 8


def test_a_resumed_warm_start_keeps_its_place_in_the_stream(tmp_path):
    Trainer(tiny_config(), tmp_path / "parent", blob_episode, progress=False).run()
    warm = Trainer(tiny_config(), tmp_path / "child", blob_episode, progress=False)
    warm.load_weights(tmp_path / "parent" / "model.pt")
    warm.run(max_minutes=0)
    resumed = Trainer(tiny_config(), tmp_path / "child", blob_episode, progress=False)
    assert resumed.resume() and resumed.episode_offset == 8
