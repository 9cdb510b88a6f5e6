import gc
import os

import pytest

import gradscope as gs


def pytest_configure(config):
    # Under pytest-xdist (``-n 2``), one process per core: the workers, started after this,
    # keep torch's and BLAS's thread pools to one thread each, so that two workers do not
    # spin four threads on two cores (about 15% of the suite's time).
    if getattr(config.option, "numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")


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
def grad_mode_on():
    """Grad mode on in gradscope and torch (if installed), before and after the test: a
    parity case that fails half-way must not leave either library with it off."""
    import sys

    libraries = [gs] + ([sys.modules["torch"]] if "torch" in sys.modules else [])
    for m in libraries:
        m.set_grad_enabled(True)
    yield
    for m in libraries:
        m.set_grad_enabled(True)


@pytest.fixture
def no_gc():
    """Graphs must free by reference counting alone: run with the cycle collector off."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
