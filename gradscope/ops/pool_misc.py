"""``adaptive_max_pool2d``'s node (``adaptive_max_pool1d`` runs it on an unsqueezed
input, as torch does): the largest value of each of ``output_size`` near-equal windows."""

from __future__ import annotations

from ..backend import xp_of
from .conv import MaxPool2DWithIndicesBackward0, adaptive_windows


def _taps(xp, size: int, out: int):
    """One dim's windows as ``(out, longest)`` indices and which of them are in the window."""
    bounds, lengths = adaptive_windows(size, out)
    longest = max(lengths) if lengths else 0
    starts = xp.asarray([a for a, _ in bounds], dtype=xp.int64)[:, None]
    offs = xp.arange(longest)[None, :]
    inside = offs < xp.asarray(lengths, dtype=xp.int64)[:, None]
    return xp.minimum(starts + offs, size - 1), inside


def adaptive_max_pool(x, output_size):
    """The maxima of ``x``'s last two dims' adaptive windows and their flat ``H * W``
    indices (int64), with torch's kernel's rules: the first of equal maxima, the last NaN,
    a window of -inf pointing at its first element."""
    xp = xp_of(x)
    (h, w), (oh, ow) = x.shape[-2:], output_size
    if oh == 0 or ow == 0:  # no windows (whose taps a reshape could not count)
        shape = x.shape[:-2] + (oh, ow)
        return xp.empty(shape, dtype=x.dtype), xp.empty(shape, dtype=xp.int64)
    rows, rin = _taps(xp, h, oh)
    cols, cin = _taps(xp, w, ow)
    flat = rows[:, None, :, None] * w + cols[None, :, None, :]  # (oh, ow, kh, kw)
    inside = rin[:, None, :, None] & cin[None, :, None, :]
    flat = flat.reshape(oh, ow, -1)
    inside = inside.reshape(oh, ow, -1)
    taps = x.reshape(x.shape[:-2] + (h * w,))[..., flat]
    taps = xp.where(inside, taps, -xp.inf)
    arg = taps.argmax(axis=-1)
    values = xp.take_along_axis(taps, arg[..., None], axis=-1)[..., 0]
    nan = xp.isnan(values)
    if nan.any():
        n = taps.shape[-1]
        last = n - 1 - xp.isnan(taps[..., ::-1]).argmax(axis=-1)
        arg = xp.where(nan, last, arg)
    idx = xp.take_along_axis(xp.broadcast_to(flat, taps.shape), arg[..., None], axis=-1)[..., 0]
    return values, idx.astype(xp.int64)


class AdaptiveMaxPool2DBackward0(MaxPool2DWithIndicesBackward0):
    """Saves the input (``self``) and the flat index of each maximum (``result1``); its
    backward puts each gradient back at its maximum, as the max pool's does."""

    _name = "AdaptiveMaxPool2DBackward0"

    def forward(self, x, output_size):
        self.output_size = output_size
        values, idx = adaptive_max_pool(x, output_size)
        self.save(self=x, result1=idx)
        self.in_shape = x.shape
        return values

    def jvp(self, xs, out, tangents):
        if self._saved is not None and "result1" in self._saved:
            idx = self.saved("result1")
        else:
            _, idx = adaptive_max_pool(xs[0], self.output_size)
        t = tangents[0]
        xp = xp_of(t)
        flat = t.reshape(t.shape[:-2] + (-1,))
        picked = xp.take_along_axis(flat, idx.reshape(idx.shape[:-2] + (-1,)), axis=-1)
        return picked.reshape(idx.shape)
