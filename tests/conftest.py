import gc

import pytest

import gradscope as gs


@pytest.fixture(autouse=True)
def _seed():
    gs.manual_seed(0)
    yield


@pytest.fixture
def no_gc():
    """Graphs must free by reference counting alone: run with the cycle collector off."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
