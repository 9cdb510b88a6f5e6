"""Recurrent cells and layers (``torch.rnn_tanh_cell``, ``lstm_cell``, ``gru_cell``,
``rnn_tanh``, ``rnn_relu``, ``lstm``, ``gru``), recorded as torch's generic CPU path
records them: ``linear`` for each projection, the gates cut with ``unsafe_chunk`` and
activated in place, and a layer's steps joined with ``stack``.

torch runs a float32 ``lstm`` on the CPU through oneDNN's fused layer, which records one
``MkldnnRnnLayerBackward0`` per layer and direction; gradscope always records the generic
path, which is what torch records for float64 and without oneDNN. The values and gradients
are the same.
"""

from __future__ import annotations

from .. import creation
from . import api
from .unsafe import unsafe_chunk


def _linear(x, w, b):
    from ..nn.functional import linear

    return linear(x, w, b)


def _check_input(x, input_size: int) -> None:
    if x.shape[1] != input_size:
        raise RuntimeError(
            f"input has inconsistent input_size: got {x.shape[1]} expected {input_size}"
        )


def _check_hidden(x, h, hidden_size: int, label: int) -> None:
    if x.shape[0] != h.shape[0]:
        raise RuntimeError(
            f"Input batch size {x.shape[0]} doesn't match hidden{label} batch size {h.shape[0]}"
        )
    if h.shape[1] != hidden_size:
        raise RuntimeError(
            f"hidden{label} has inconsistent hidden_size: got {h.shape[1]}, expected {hidden_size}"
        )


class _Params:
    """One layer's (and direction's) weights: ``w_ih``, ``w_hh``, the biases (or None) and
    the LSTM's projection ``w_hr`` (or None)."""

    __slots__ = ("w_ih", "w_hh", "b_ih", "b_hh", "w_hr")

    def __init__(self, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None) -> None:
        self.w_ih, self.w_hh, self.b_ih, self.b_hh, self.w_hr = w_ih, w_hh, b_ih, b_hh, w_hr

    def linear_ih(self, x):
        return _linear(x, self.w_ih, self.b_ih)

    def linear_hh(self, h):
        return _linear(h, self.w_hh, self.b_hh)

    def matmul_hr(self, h):
        return h if self.w_hr is None else api.matmul(h, api.t(self.w_hr))


# -- cells: ``x`` is one step's input, or its ``linear_ih`` already (``pre``) -------------


def _simple_cell(relu: bool):
    def cell(x, h, p: _Params, pre: bool = False):
        gates = api.add_(p.linear_hh(h), x if pre else p.linear_ih(x))
        return api.relu(gates) if relu else api.tanh(gates)

    return cell


_tanh_cell, _relu_cell = _simple_cell(False), _simple_cell(True)


def _lstm_cell(x, hidden, p: _Params, pre: bool = False):
    hx, cx = hidden
    gates = api.add_(p.linear_hh(hx), x if pre else p.linear_ih(x))
    i, f, g, o = unsafe_chunk(gates, 4, 1)
    i, f, g, o = api.sigmoid_(i), api.sigmoid_(f), api.tanh_(g), api.sigmoid_(o)
    cy = api.add_(api.mul(f, cx), api.mul(i, g))
    hy = api.mul(o, api.tanh(cy))
    return p.matmul_hr(hy), cy


def _gru_cell(x, h, p: _Params, pre: bool = False):
    ir, iz, in_ = unsafe_chunk(x if pre else p.linear_ih(x), 3, 1)
    hr, hz, hn = unsafe_chunk(p.linear_hh(h), 3, 1)
    reset = api.sigmoid_(api.add_(hr, ir))
    update = api.sigmoid_(api.add_(hz, iz))
    new = api.tanh_(api.add(in_, api.mul_(hn, reset)))
    return api.add_(api.mul_(api.sub(h, new), update), new)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN: ``tanh(linear(hx, w_hh, b_hh) + linear(input, w_ih, b_ih))``."""
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    return _tanh_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """``rnn_tanh_cell`` with ``relu``."""
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    return _relu_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple:
    """One LSTM step; ``hx`` is ``(h, c)``; gives ``(h', c')``."""
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx[0], w_hh.shape[1], 0)
    _check_hidden(input, hx[1], w_hh.shape[1], 1)
    return _lstm_cell(input, tuple(hx), _Params(w_ih, w_hh, b_ih, b_hh))


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step."""
    _check_input(input, w_ih.shape[1])
    _check_hidden(input, hx, w_hh.shape[1], 0)
    return _gru_cell(input, hx, _Params(w_ih, w_hh, b_ih, b_hh))


# -- layers -------------------------------------------------------------------------


def _steps(cell, xs_w: list, hidden, p: _Params) -> tuple[list, object]:
    """Run ``cell`` over the steps' projected inputs: each step's output and the last hidden."""
    outs = []
    for x in xs_w:
        hidden = cell(x, hidden, p, True)
        outs.append(hidden[0] if type(hidden) is tuple else hidden)
    return outs, hidden


def _layer(cell, x, hidden, p: _Params):
    """One direction over the whole sequence ``x`` (time first)."""
    outs, last = _steps(cell, list(api.unbind(p.linear_ih(x), 0)), hidden, p)
    if not outs:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    return api.stack(outs, 0), last


def _bidirectional_layer(cell, x, hiddens: tuple, ps: tuple):
    fw_outs, fw_last = _steps(cell, list(api.unbind(ps[0].linear_ih(x), 0)), hiddens[0], ps[0])
    if not fw_outs:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    fw = api.stack(fw_outs, 0)
    rev_in = list(api.unbind(ps[1].linear_ih(x), 0))[::-1]
    rev_outs, rev_last = _steps(cell, rev_in, hiddens[1], ps[1])
    rev = api.stack(rev_outs[::-1], 0)
    return api.cat([fw, rev], fw.ndim - 1), (fw_last, rev_last)


def _hslice(hidden, start: int, end: int):
    """Rows ``start:end`` of a state (of both of an LSTM's), as torch's ``narrow``."""
    if type(hidden) is tuple:
        return tuple(api.narrow(h, 0, start, end - start) for h in hidden)
    return api.narrow(hidden, 0, start, end - start)


def _hcat(hiddens: list):
    if type(hiddens[0]) is tuple:
        return tuple(api.cat([h[k] for h in hiddens], 0) for k in range(len(hiddens[0])))
    return api.cat(hiddens, 0)


def _packed_layer(cell, data, sizes: list[int], hidden, p: _Params):
    """One direction over packed steps: the batch shrinks as sequences end, and each
    ended sequence's last state is kept for the final one (torch's ``PackedLayer``)."""
    x_w = p.linear_ih(data)
    outs, finals = [], []
    offset, last = 0, sizes[0]
    for size in sizes:
        step = api.narrow(x_w, 0, offset, size)
        offset += size
        if last > size:
            finals.append(_hslice(hidden, size, last))
            hidden = _hslice(hidden, 0, size)
        last = size
        hidden = cell(step, hidden, p, True)
        outs.append(hidden[0] if type(hidden) is tuple else hidden)
    finals.append(hidden)
    return api.cat(outs, 0), _hcat(finals[::-1])


def _reversed_packed_layer(cell, data, sizes: list[int], hidden_in, p: _Params):
    """Packed steps from the last: the batch grows as sequences start (``ReversedPackedLayer``)."""
    x_w = p.linear_ih(data)
    offset, last = data.shape[0], sizes[-1]
    hidden = _hslice(hidden_in, 0, last)
    outs = []
    for size in reversed(sizes):
        if size > last:
            hidden = _hcat([hidden, _hslice(hidden_in, last, size)])
        step = api.narrow(x_w, 0, offset - size, size)
        offset -= size
        last = size
        hidden = cell(step, hidden, p, True)
        outs.append(hidden[0] if type(hidden) is tuple else hidden)
    return api.cat(outs[::-1], 0), hidden


def _stack_packed(cell, data, sizes, hiddens: list, ps: list, num_layers, dropout, train, bi):
    """``_stack_layers`` over packed data: the output data and the final states."""
    from ..nn.functional import dropout as _dropout

    finals = []
    for layer in range(num_layers):
        if bi:
            fw, fw_last = _packed_layer(cell, data, sizes, hiddens[2 * layer], ps[2 * layer])
            rev, rev_last = _reversed_packed_layer(
                cell, data, sizes, hiddens[2 * layer + 1], ps[2 * layer + 1]
            )
            data = api.cat([fw, rev], -1)
            finals += [fw_last, rev_last]
        else:
            data, last = _packed_layer(cell, data, sizes, hiddens[layer], ps[layer])
            finals.append(last)
        if dropout != 0 and train and layer < num_layers - 1:
            data = _dropout(data, dropout, True)
    return data, finals


def packed_layers(
    mode: str, data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional
) -> tuple:
    """A recurrent stack over a packed sequence's ``data`` (``mode`` ``RNN_TANH``,
    ``RNN_RELU``, ``GRU`` or ``LSTM``, whose ``hx`` is ``(h_0, c_0)``): the output's data
    and ``h_n`` (and ``c_n``)."""
    cell = {"RNN_TANH": _tanh_cell, "RNN_RELU": _relu_cell, "GRU": _gru_cell, "LSTM": _lstm_cell}[
        mode
    ]
    sizes = [int(n) for n in batch_sizes.tolist()]
    if mode == "LSTM":
        h0, c0 = hx
        ps = _gather(list(params), has_biases, h0.shape[-1] != c0.shape[-1])
        hiddens = list(zip(api.unbind(h0, 0), api.unbind(c0, 0)))
    else:
        ps = _gather(list(params), has_biases)
        hiddens = list(api.unbind(hx, 0))
    out, finals = _stack_packed(
        cell, data, sizes, hiddens, ps, num_layers, dropout, train, bidirectional
    )
    if mode == "LSTM":
        return out, api.stack([h for h, _ in finals], 0), api.stack([c for _, c in finals], 0)
    return out, api.stack(finals, 0)


def _gather(params, has_biases: bool, has_projections: bool = False) -> list[_Params]:
    step = 2 + 2 * has_biases + has_projections
    if len(params) % step:
        raise RuntimeError(
            f"got an incorrect number of RNN parameters: {len(params)} for groups of {step}"
        )
    out = []
    for k in range(0, len(params), step):
        w = params[k : k + step]
        if has_biases:
            out.append(_Params(w[0], w[1], w[2], w[3], w[4] if has_projections else None))
        else:
            out.append(_Params(w[0], w[1], None, None, w[2] if has_projections else None))
    return out


def _stack_layers(cell, x, hiddens: list, ps: list, num_layers, dropout, train, bidirectional):
    """The layers in turn, dropout between them while training: the output and each
    layer's (and direction's) last hidden."""
    from ..nn.functional import dropout as _dropout

    finals = []
    dirs = 2 if bidirectional else 1
    for layer in range(num_layers):
        if bidirectional:
            hs = (hiddens[2 * layer], hiddens[2 * layer + 1])
            x, (fw, rev) = _bidirectional_layer(cell, x, hs, tuple(ps[2 * layer : 2 * layer + 2]))
            finals += [fw, rev]
        else:
            x, last = _layer(cell, x, hiddens[layer], ps[layer])
            finals.append(last)
        if dropout != 0 and train and layer < num_layers - 1:
            x = _dropout(x, dropout, True)
    assert len(finals) == num_layers * dirs
    return x, finals


def _one_hidden(cell):
    def run(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
        x = api.transpose(input, 0, 1) if batch_first else input
        ps = _gather(list(params), has_biases)
        out, finals = _stack_layers(
            cell, x, list(api.unbind(hx, 0)), ps, num_layers, dropout, train, bidirectional
        )
        if batch_first:
            out = api.transpose_(out, 0, 1)
        return out, api.stack(finals, 0)

    return run


_rnn_tanh, _rnn_relu, _gru = (
    _one_hidden(_tanh_cell),
    _one_hidden(_relu_cell),
    _one_hidden(_gru_cell),
)


def rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A stack of Elman RNN layers with tanh over a sequence: ``(output, h_n)``."""
    return _rnn_tanh(
        input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first
    )


def rnn_relu(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """``rnn_tanh`` with relu."""
    return _rnn_relu(
        input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first
    )


def gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A stack of GRU layers over a sequence: ``(output, h_n)``."""
    return _gru(
        input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first
    )


def lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """A stack of LSTM layers over a sequence; ``hx`` is ``(h_0, c_0)``: gives
    ``(output, h_n, c_n)``. A projection weight per layer (``proj_size``) is told by
    ``h_0``'s last size differing from ``c_0``'s."""
    h0, c0 = hx
    projections = h0.shape[-1] != c0.shape[-1]
    x = api.transpose(input, 0, 1) if batch_first else input
    ps = _gather(list(params), has_biases, projections)
    hiddens = list(zip(api.unbind(h0, 0), api.unbind(c0, 0)))
    out, finals = _stack_layers(
        _lstm_cell, x, hiddens, ps, num_layers, dropout, train, bidirectional
    )
    if batch_first:
        out = api.transpose(out, 0, 1)
    return out, api.stack([h for h, _ in finals], 0), api.stack([c for _, c in finals], 0)


def zeros_hidden(layers: int, batch: int, size: int, like):
    """The zero initial state a recurrent module starts from, in ``like``'s dtype and device."""
    return creation.zeros(layers, batch, size, dtype=like.dtype, device=like.device)
