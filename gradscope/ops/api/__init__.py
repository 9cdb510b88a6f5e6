"""The op functions users call (``gs.mul``, ``Tensor.sum``, ``+`` ...).

Each checks and normalises its arguments the way torch does (dims, Python scalars, type
promotion, devices, error texts), then runs one ``Function`` through ``apply``. They live in
one module per family; this package re-exports them, and the private functions others use.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    _common,
    pointwise,
    arithmetic,
    comparison,
    views,
    splits,
    scatter_gather,
    joins,
    diagonals,
    matrix_products,
    reductions,
    subscript,
    in_place,
    special,
    order,
    number_formats,
)
from ._common import *  # noqa: F403
from .pointwise import *  # noqa: F403
from .arithmetic import *  # noqa: F403
from .comparison import *  # noqa: F403
from .views import *  # noqa: F403
from .splits import *  # noqa: F403
from .scatter_gather import *  # noqa: F403
from .joins import *  # noqa: F403
from .diagonals import *  # noqa: F403
from .matrix_products import *  # noqa: F403
from .reductions import *  # noqa: F403
from .subscript import *  # noqa: F403
from .in_place import *  # noqa: F403
from .special import *  # noqa: F403
from .order import *  # noqa: F403
from .number_formats import *  # noqa: F403
from ._common import (
    _NOTHING,
    _broadcast_error,
    _check_device,
    _check_tensor_arg,
    _dim,
    _dims,
    _fits_in_place,
    _int_dims,
    _integral_operands,
    _on_one_device,
    _promoted,
)
from .arithmetic import _alpha, _atan2, _check_bool_sub
from .comparison import _logical
from .views import _t_warned, _transposed
from .scatter_gather import _scatter_args
from .in_place import _unary_
from .pointwise import _floating
from .reductions import _reduction_dims
from .special import (
    _fmax_method,
    _fmin_method,
    _heaviside_method,
    _hypot_method,
    _logaddexp2_method,
    _logaddexp_method,
)

Tensor = None  # set by gradscope.tensor, through _bind_tensor

# the family modules, as imported above
_MODULES = tuple(
    m for m in list(globals().values()) if isinstance(m, ModuleType) and m.__package__ == __name__
)


def _bind_tensor(cls) -> None:
    """Make ``cls`` the ``Tensor`` that this package and each of its modules name."""
    global Tensor
    Tensor = cls
    for module in _MODULES:
        module.Tensor = cls


def __getattr__(name: str):
    """A private helper of one of the family modules (``api._Shaped``), found where it
    lives, for code that names it through this package."""
    for module in _MODULES:
        if name in module.__dict__:
            return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
