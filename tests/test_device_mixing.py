"""torch's device rule for elementwise ops: a 0-dim CPU tensor may join a CUDA tensor (it
acts as a scalar); any other mix of devices is an error. The choice is checked with fake
tensors here, the values and gradients on the CPU, and the real thing on a GPU when there
is one."""

from types import SimpleNamespace

import numpy as np
import pytest

import gradscope as gs
from gradscope.ops import api

needs_gpu = pytest.mark.skipif(not gs.cuda.is_available(), reason="needs CuPy and a CUDA GPU")


class FakeTensor:
    """Just what the device rule looks at: the buffer's device and the number of dims."""

    def __init__(self, device: str, ndim: int) -> None:
        self._buffer = SimpleNamespace(device=device)
        self._data = SimpleNamespace(ndim=ndim)
        self.moved_to = None

    def to(self, device):
        self.moved_to = device
        return FakeTensor(device, self._data.ndim)


@pytest.mark.parametrize(
    ("a", "b", "moves"),
    [
        (("cuda:0", 2), ("cpu", 0), "b"),  # x_cuda * torch.tensor(2.0)
        (("cpu", 0), ("cuda:1", 1), "a"),  # torch.tensor(2.0) + x_cuda
        (("cuda:0", 0), ("cpu", 0), "b"),  # both 0-dim: the CPU one joins the CUDA one
        (("cpu", 0), ("cpu", 3), None),
        (("cuda:0", 1), ("cuda:0", 0), None),
    ],
)
def test_the_0_dim_cpu_operand_is_the_one_that_moves(a, b, moves):
    fa, fb = FakeTensor(*a), FakeTensor(*b)
    ra, rb = api._on_one_device(fa, fb)
    assert ra._buffer.device == rb._buffer.device
    assert (fa.moved_to, fb.moved_to) == {
        "a": (b[0], None),
        "b": (None, a[0]),
        None: (None, None),
    }[moves]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("cuda:0", 2), ("cpu", 1)),  # a 1-element CPU tensor is not a scalar
        (("cpu", 2), ("cuda:0", 0)),  # a 0-dim CUDA tensor does not join a CPU tensor
        (("cuda:0", 1), ("cuda:1", 0)),  # nor one CUDA device another
    ],
)
def test_any_other_mix_is_torchs_error(a, b):
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        api._on_one_device(FakeTensor(*a), FakeTensor(*b))


def test_a_0_dim_cpu_tensor_with_a_cpu_tensor_needs_no_copy():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    s = gs.tensor(2.0, requires_grad=True)
    y = (x * s + s / x - s).sum()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 - 2.0 / np.array([1.0, 4.0, 9.0]))
    np.testing.assert_allclose(s.grad.numpy(), 6.0 + (1 + 0.5 + 1 / 3) - 3)
    names = {fn.name() for fn, _ in y.grad_fn.next_functions[0][0].next_functions if fn}
    assert "ToCopyBackward0" not in names


@needs_gpu
def test_a_0_dim_cpu_tensor_joins_cuda_tensors_and_gets_its_gradient_on_the_cpu():
    x = gs.tensor([1.0, 2.0, 3.0], device="cuda", requires_grad=True)
    s = gs.tensor(2.0, requires_grad=True)
    y = (x * s + s / x - s).sum()
    assert y.device.type == "cuda"
    cpu_before = gs.live_bytes("cpu")
    with gs.trace() as tr:
        y.backward()
    assert x.grad.device.type == "cuda" and s.grad.device.type == "cpu"
    # s's three gradients come back through ToCopyBackward0 and are counted on the CPU
    assert gs.live_bytes("cpu") - cpu_before == 4
    acc = {e.node: e.device for e in tr.events if e.kind == "grad_accumulated"}
    assert sorted(acc.values()) == ["cpu", "cuda:0"]
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2.0 - 2.0 / np.array([1.0, 4.0, 9.0]))
    np.testing.assert_allclose(s.grad.numpy(), 6.0 + (1 + 0.5 + 1 / 3) - 3, rtol=1e-6)
    with pytest.raises(RuntimeError, match="same device"):
        x * gs.tensor([2.0])


@needs_gpu
@pytest.mark.parametrize(
    "fn",
    [
        lambda cuda, cpu: gs.linalg.solve(cuda(gs.eye(3) * 2), cpu(gs.ones(3, 1))),
        lambda cuda, cpu: gs.nn.functional.batch_norm(
            cuda(gs.ones(4, 3)), cpu(gs.zeros(3)), cpu(gs.ones(3)), training=True
        ),
        lambda cuda, cpu: gs.nn.functional.linear(cuda(gs.ones(2, 3)), cpu(gs.ones(4, 3))),
        lambda cuda, cpu: gs.where(cuda(gs.ones(3) > 0), cuda(gs.ones(3)), cpu(gs.zeros(3))),
        lambda cuda, cpu: gs.cat([cuda(gs.ones(2)), cpu(gs.ones(2))]),
    ],
    ids=["solve", "batch_norm", "linear", "where", "cat"],
)
def test_ops_of_several_inputs_on_two_devices_raise_torchs_error(fn):
    cuda, cpu = (lambda t: t.to("cuda")), (lambda t: t)
    with pytest.raises(RuntimeError) as e:
        fn(cuda, cpu)
    assert str(e.value) == (
        "Expected all tensors to be on the same device, but found at least two devices, "
        "cuda:0 and cpu!"
    )
