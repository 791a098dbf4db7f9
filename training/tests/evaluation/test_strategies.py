"""Each strategy on a tiny random-init model and tiny volumes: shapes, ranges, reference choice."""
import numpy as np
import torch

from irisseg.evaluation.strategies import (
    ReferencePool,
    context_ensemble,
    copied_mask_floor,
    memory_bank_embedding,
    object_retrieval,
    one_shot,
    retrieve_embedding,
    top_k_by_cosine,
)

from .helpers import predictor, tiny_task  # noqa: F401  (fixture)


def test_pool_encodes_every_reference_once(predictor):
    task = tiny_task(references=3)
    pool = ReferencePool(predictor, task.references)
    assert pool.embeddings.shape == (3, 2, predictor.embedding_dim)
    assert torch.allclose(pool.mean([0, 2]), (pool.embeddings[0] + pool.embeddings[2]) / 2)


def test_one_shot_and_ensemble_give_probabilities_at_the_query_grid(predictor):
    task = tiny_task()
    pool = ReferencePool(predictor, task.references)
    query = task.queries[0]
    features = predictor.encode_image(query.image)
    single = one_shot(predictor, features, pool, 1)
    ensemble = context_ensemble(predictor, features, pool, [0, 1, 3])
    for probs in (single, ensemble):
        assert probs.shape == (2, *query.image.shape)
        assert probs.min() >= 0.0 and probs.max() <= 1.0
    np.testing.assert_allclose(context_ensemble(predictor, features, pool, [1]), single, atol=1e-6)
    assert not np.allclose(ensemble, single)


def test_ensemble_predicts_what_the_predictor_predicts_with_the_mean_embedding(predictor):
    task = tiny_task(references=3)
    pool = ReferencePool(predictor, task.references)
    query = task.queries[0]
    ensemble = context_ensemble(predictor, predictor.encode_image(query.image), pool, [0, 2])
    mean = (predictor.encode_reference(task.references[0].image, task.references[0].masks)
            + predictor.encode_reference(task.references[2].image, task.references[2].masks)) / 2
    predictor.set_task(mean)
    np.testing.assert_allclose(ensemble, predictor.predict(query.image), atol=1e-6)
    singles = [one_shot(predictor, predictor.encode_image(query.image), pool, i) for i in (0, 2)]
    assert all(np.abs(ensemble - s).max() > 1e-4 for s in singles)  # neither reference alone


def test_ensemble_of_one_reference_repeated_is_that_reference_alone(predictor):
    task = tiny_task(references=2)
    pool = ReferencePool(predictor, task.references)
    features = predictor.encode_image(task.queries[0].image)
    np.testing.assert_allclose(context_ensemble(predictor, features, pool, [1, 1, 1]),
                               one_shot(predictor, features, pool, 1), atol=1e-6)


def test_pool_subset_shares_the_embeddings_in_the_given_order(predictor):
    pool = ReferencePool(predictor, tiny_task(references=4).references)
    sub = pool.subset([3, 1])
    assert [s.name for s in sub.subjects] == ["r3", "r1"]
    assert torch.equal(sub.embeddings, pool.embeddings[[3, 1]])
    assert torch.equal(sub.mean(), pool.mean([1, 3]))


def test_top_k_by_cosine_ranks_by_direction_not_length():
    query = torch.tensor([1.0, 0.0, 0.0])
    candidates = torch.tensor([[0.0, 1.0, 0.0], [10.0, 9.0, 0.0], [0.5, 0.01, 0.0], [-1.0, 0.0, 0.0]])
    assert top_k_by_cosine(query, candidates, 2).tolist() == [2, 1]
    assert top_k_by_cosine(query, candidates, 10).shape == (4,)


def test_retrieval_picks_the_most_similar_embeddings_per_class():
    e = torch.eye(4)
    # pool of 3 references, 2 classes, E = 4
    pool = torch.stack([
        torch.stack([e[0], e[2]]),
        torch.stack([e[1], e[3]]),
        torch.stack([e[0] + 0.1 * e[1], e[2] + e[3]]),
    ])
    query = torch.stack([e[1], e[3] + 0.01 * e[2]])
    emb, chosen = retrieve_embedding(query, pool, k=1)
    assert chosen == [[1], [1]]
    assert torch.equal(emb, pool[1])
    emb2, chosen2 = retrieve_embedding(query, pool, k=2)
    assert chosen2[0] == [1, 2] and chosen2[1] == [1, 2]
    assert torch.allclose(emb2[0], (pool[1, 0] + pool[2, 0]) / 2)


def test_retrieval_falls_back_to_the_pool_mean_for_an_absent_class():
    pool = torch.randn(3, 2, 5)
    emb, chosen = retrieve_embedding(torch.randn(2, 5), pool, k=1, present=[True, False])
    assert len(chosen[0]) == 1 and chosen[1] == [0, 1, 2]
    assert torch.allclose(emb[1], pool[:, 1].mean(0))


def test_object_retrieval_runs_end_to_end(predictor):
    task = tiny_task(references=4)
    pool = ReferencePool(predictor, task.references)
    query = task.queries[0]
    features = predictor.encode_image(query.image)
    result = object_retrieval(predictor, query.image, features, pool, pool.mean(), k=2)
    assert result.probabilities.shape == (2, *query.image.shape)
    assert all(1 <= len(c) <= 4 for c in result.chosen)


def test_floor_is_a_nearest_resize_of_the_reference_mask():
    ref = np.zeros((1, 2, 2, 2), dtype=bool)
    ref[0, 1, 0, 1] = True
    out = copied_mask_floor(ref, (4, 4, 4))
    assert out.shape == (1, 4, 4, 4) and out.dtype == bool
    assert out.sum() == 8 and out[0, 2:, :2, 2:].all()
    same = np.random.default_rng(0).random((2, 5, 6, 7)) > 0.5
    assert np.array_equal(copied_mask_floor(same, (5, 6, 7)), same)
    shrunk = copied_mask_floor(np.ones((1, 9, 9, 9), dtype=bool), (3, 4, 5))
    assert shrunk.shape == (1, 3, 4, 5) and shrunk.all()


def test_memory_bank_embedding_takes_each_class_entry_of_the_dataset_in_bank_order():
    bank = {"toy/b/left": torch.ones(3), "toy/a/left": torch.zeros(3), "toy/a/right": torch.full((3,), 2.0),
            "other/a/right": torch.full((3,), 9.0)}
    emb = memory_bank_embedding(bank, "toy", ("left", "right"))
    assert emb.tolist() == [[1.0] * 3, [2.0] * 3]


def test_memory_bank_embedding_is_none_when_a_class_is_missing():
    assert memory_bank_embedding({"toy/a/left": torch.ones(3)}, "toy", ("left", "right")) is None
