"""Evaluation tests run torch on one thread: the models are tiny, and on a shared machine several
threads per test only wait for each other."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="package")
def one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
