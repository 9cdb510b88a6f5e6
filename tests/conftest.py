import gc

import pytest

import gradscope as gs


def pytest_collection_finish(session):
    # The session's own objects (modules, torch, the collected tests) live to its end: a
    # collection a test asks for (no_gc, gc.collect()) need not walk them every time.
    gc.collect()
    gc.freeze()


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
