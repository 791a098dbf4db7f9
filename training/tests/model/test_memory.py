"""The dense reference memory: its place in the embedding, what a query voxel reads from it, a model gaining it
without changing what it predicts, and TorchScript."""

import pytest
import torch
import torch.nn.functional as F

from irisseg.model import build_iris
from irisseg.model.builder import MEMORY_PROJECTIONS, embedding_dim
from irisseg.model.memory import MemoryReader, memory_size
from irisseg.weights import load_warm_start

from conftest import assert_predict_alike, tiny_config, warm_start_from_a_working_refiner

# tiny_config: grid 32, widths (4, 8, 8, 16, 16); scale 2 is 8^3 voxels of 8 channels
MEMORY = dict(prototype_scales=3, memory_channels=4, memory_scale=2)


def _task(g: int = 32):
    torch.manual_seed(3)
    ref, query = torch.randn(1, 1, g, g, g), torch.randn(1, 1, g, g, g)
    masks = torch.zeros(1, 2, g, g, g)
    masks[:, 0, 4:20, 8:24, 12:28] = 1.0
    masks[:, 1, 20:30, 2:10, 0:16] = 1.0
    return ref, masks, query


def _memory_of(model, embedding):
    start = model.decoder.token_dim + model.decoder.refiner.prototype_dim
    return embedding[:, :, start:]


def test_the_memory_adds_keys_and_values_of_every_voxel_at_its_scale_to_the_embedding():
    plain, with_memory = tiny_config(prototype_scales=3).model, tiny_config(**MEMORY).model
    assert memory_size(32, 2, 4) == (4 + 1) * 8**3
    assert embedding_dim(with_memory) == embedding_dim(plain) + (4 + 1) * 8**3
    model = build_iris(with_memory).eval()
    ref, masks, _ = _task()
    with torch.no_grad():
        embedding = model.encode_task(model.encode_image(ref), masks)
    assert embedding.shape == (1, 2, model.embedding_dim)
    memory = _memory_of(model, embedding)
    keys, values = memory[:, :, :4 * 512].reshape(1, 2, 4, 512), memory[:, :, 4 * 512:]
    torch.testing.assert_close(keys[:, 0], keys[:, 1])  # one reference: the same keys for every class
    torch.testing.assert_close(keys.norm(dim=2), torch.ones(1, 2, 512))
    torch.testing.assert_close(values, F.adaptive_avg_pool3d(masks, [8, 8, 8]).flatten(2))


def test_a_copy_finds_its_own_reference_voxel_as_the_best_match_inside_and_outside_the_class():
    model = build_iris(tiny_config(**MEMORY).model).eval()
    ref, masks, _ = _task()
    with torch.no_grad():
        features = model.encode_image(ref)
        memory = _memory_of(model, model.encode_task(features, masks))
        read = model.decoder.refiner.memory(features, memory)  # [K, 3, 8, 8, 8]
    values = F.adaptive_avg_pool3d(masks, [8, 8, 8])[0]  # [K, 8, 8, 8]
    inside, outside = read[:, 1], read[:, 2]
    assert torch.all(inside[values == 1.0] > 1.0 - 1e-5)
    assert torch.all(outside[values == 0.0] > 1.0 - 1e-5)


def test_the_read_out_is_an_average_of_the_reference_voxels_mask_values():
    model = build_iris(tiny_config(**MEMORY).model).eval()
    ref, masks, query = _task()
    with torch.no_grad():
        memory = _memory_of(model, model.encode_task(model.encode_image(ref), masks))
        features = model.encode_image(query)
        full, empty = memory.clone(), memory.clone()
        full[:, :, 4 * 512:], empty[:, :, 4 * 512:] = 1.0, 0.0
        readout = [model.decoder.refiner.memory(features, m)[:, 0] for m in (full, empty, memory)]
    torch.testing.assert_close(readout[0], torch.ones_like(readout[0]))
    torch.testing.assert_close(readout[1], -torch.ones_like(readout[1]))
    assert float(readout[2].amin()) > -1.0 and float(readout[2].amax()) < 1.0  # a real mask: strictly between


def test_an_average_of_one_embedding_with_itself_reads_as_that_embedding():
    model = build_iris(tiny_config(**MEMORY).model).eval()
    ref, masks, query = _task()
    with torch.no_grad():
        embedding = model.encode_task(model.encode_image(ref), masks)
        other = model.encode_task(model.encode_image(query), masks)
        features = model.encode_image(query)
        one, _ = model.decode(features, embedding)
        # keys re-normalised on reading: a half-length copy of the keys reads the same
        shortened = embedding.clone()
        start = model.decoder.token_dim + model.decoder.refiner.prototype_dim
        shortened[:, :, start:start + 4 * 512] *= 0.5
        half, _ = model.decode(features, shortened)
        blended, _ = model.decode(features, (embedding + other) / 2.0)
    torch.testing.assert_close(half, one, rtol=1e-5, atol=1e-5)
    assert torch.isfinite(blended).all()


def test_a_model_gaining_the_memory_starts_predicting_exactly_as_its_source(tmp_path):
    source, target, missing = warm_start_from_a_working_refiner(
        tiny_config(prototype_scales=3).model, tiny_config(**MEMORY).model, tmp_path / "model.pt")
    assert "decoder.refiner.conv1.weight (widened)" in missing
    assert {m for m in missing if "(widened)" not in m} == {
        "task_encoder.memory.key.weight", "task_encoder.memory.key.bias", "decoder.refiner.memory.query.weight",
        "decoder.refiner.memory.query.bias", "decoder.refiner.memory.log_temperature"}
    assert_predict_alike(source, target)


def test_a_memory_moved_to_another_scale_keeps_what_the_refiner_learned_and_starts_its_projections_afresh(tmp_path):
    torch.manual_seed(0)
    source = build_iris(tiny_config(**MEMORY).model)
    with torch.no_grad():
        source.decoder.refiner.conv1.weight.normal_()
        source.decoder.refiner.memory.log_temperature.fill_(2.5)
    torch.save({"model": source.state_dict()}, tmp_path / "model.pt")
    moved = build_iris(tiny_config(**dict(MEMORY, memory_scale=1)).model)  # 16^3 instead of 8^3
    fresh = load_warm_start(moved, tmp_path / "model.pt", MEMORY_PROJECTIONS)
    assert sorted(fresh) == sorted(MEMORY_PROJECTIONS)
    torch.testing.assert_close(moved.decoder.refiner.conv1.weight, source.decoder.refiner.conv1.weight)
    assert moved.decoder.refiner.memory.log_temperature.item() == 2.5
    torch.testing.assert_close(moved.decoder.refiner.memory.query.weight, moved.task_encoder.memory.key.weight)


def test_the_query_projection_starts_equal_to_the_key_projection():
    model = build_iris(tiny_config(**MEMORY).model)
    torch.testing.assert_close(model.decoder.refiner.memory.query.weight, model.task_encoder.memory.key.weight)
    torch.testing.assert_close(model.decoder.refiner.memory.query.bias, model.task_encoder.memory.key.bias)


def test_a_model_with_the_memory_scripts_and_predicts_as_in_eager_mode():
    model = build_iris(tiny_config(**MEMORY).model).eval()
    ref, masks, query = _task()
    task_encoder, decoder = torch.jit.script(model.task_encoder), torch.jit.script(model.decoder)
    with torch.no_grad():
        features, ref_features = model.encode_image(query), model.encode_image(ref)
        embedding = model.encode_task(ref_features, masks)
        want, _ = model.decode(features, embedding)
        torch.testing.assert_close(task_encoder(ref_features, masks), embedding)
        got, _ = decoder(features, embedding)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_a_memory_of_another_size_is_refused_by_name():
    model = build_iris(tiny_config(**MEMORY).model).eval()
    _, _, query = _task()
    with torch.no_grad(), pytest.raises(ValueError, match="memory holds"):
        model.decoder.refiner.memory(model.encode_image(query), torch.zeros(1, 2, 100))


@pytest.mark.parametrize("overrides, match", [
    (dict(prototype_scales=0, memory_channels=4), "memory_channels"),
    (dict(prototype_scales=3, memory_channels=-1), "memory_channels"),
    (dict(prototype_scales=3, memory_channels=4, memory_scale=0), "memory_scale"),
    (dict(prototype_scales=3, memory_channels=4, memory_scale=5), "memory_scale"),
])
def test_a_memory_the_model_cannot_have_is_refused(overrides, match):
    with pytest.raises(ValueError, match=match):
        tiny_config(**overrides)


def test_a_model_of_three_scales_without_a_memory_builds_whatever_its_memory_scale():
    cfg = tiny_config(channels=(4, 8, 8), blocks_per_stage=(0, 1, 1), decoder_blocks=(1, 0), prototype_scales=2,
                      task_scales=2, output_scale=0, memory_channels=0, memory_scale=3)
    model = build_iris(cfg.model)
    assert model.task_encoder.memory is None and model.decoder.refiner.memory is None


def _reader_inputs(k: int = 3, n: int = 4, d: int = 4, width: int = 8):
    torch.manual_seed(5)
    reader = MemoryReader(0, width, d)
    features = [torch.randn(2, width, n, n, n, requires_grad=True)]
    keys = torch.randn(2, 1, d * n**3, requires_grad=True)  # one reference's keys, as the writer repeats them
    values = torch.rand(2, k, n**3, requires_grad=True)
    return reader, features, keys, values, torch.cat([keys.expand(2, k, d * n**3), values], dim=2)


def _dense_read(reader, features, memory, d: int = 4, v: int = 4**3):
    """The read as its definition states it, every class comparing with its own keys: [B*K, 3, V]."""
    b, k = memory.shape[0], memory.shape[1]
    q = F.normalize(reader.query(features[0]), dim=1).flatten(2)
    keys = F.normalize(memory[:, :, :d * v].reshape(b, k, d, v), dim=2)
    values = memory[:, :, d * v:]
    sim = torch.einsum("bkdr,bdq->bkqr", keys, q)
    readout = torch.einsum("bkqr,bkr->bkq", torch.softmax(reader.log_temperature.exp() * sim, dim=3), values)
    inside = (sim - 2.0 * (1.0 - values).unsqueeze(2)).amax(dim=3)
    outside = (sim - 2.0 * values.unsqueeze(2)).amax(dim=3)
    return torch.stack([2.0 * readout - 1.0, inside, outside], dim=2).reshape(b * k, 3, v)


def _assert_reads_as_defined(reader, features, memory, inputs):
    """The reader's maps, and their gradients for ``inputs``, are those of :func:`_dense_read`."""
    weights = torch.randn(memory.shape[0] * memory.shape[1], 3, 4**3)
    results = []
    for read in (lambda: reader(features, memory), lambda: _dense_read(reader, features, memory)):
        out = read().flatten(2)
        results.append((out, torch.autograd.grad((out * weights).sum(), inputs)))
    (got, got_grads), (want, want_grads) = results
    torch.testing.assert_close(got, want)
    for got_grad, want_grad in zip(got_grads, want_grads):
        torch.testing.assert_close(got_grad, want_grad)


def test_keys_shared_by_every_class_read_as_each_class_comparing_with_its_own_with_the_same_gradients():
    reader, features, shared_keys, values, memory = _reader_inputs()
    reader.block_values = 2 * 6 * 4**3 * 5  # best matches searched 5 query voxels at a time, the last block 4
    _assert_reads_as_defined(reader, features, memory,
                             [features[0], shared_keys, values, reader.log_temperature, reader.query.weight])


def test_classes_with_keys_of_their_own_each_read_their_own_keys_with_the_same_gradients():
    reader, features, _, _, memory = _reader_inputs()
    memory = memory.detach().clone()
    memory[:, 1, :4 * 4**3] = torch.randn(2, 4 * 4**3)  # class 1: another reference's keys
    memory.requires_grad_(True)
    _assert_reads_as_defined(reader, features, memory,
                             [features[0], memory, reader.log_temperature, reader.query.weight])
