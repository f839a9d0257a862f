"""SPAIC's convolution and pooling links (``link_type="conv"``, ``"pool"``) between
groups of shape (channels, height, width): one kernel of weights read at every position
(pyspike Synapses with the kernel variable ``w``: ``Synapses(kernel=("w",))``), never a
dense copy of it.

A synapse joins input (c_in, y*s - p + ky*d, x*s - p + kx*d) to output (c_out, y, x) for
every kernel element (c_out, c_in, ky, kx) whose input lies inside the image (SPAIC's
zero padding adds nothing); its spikes add the element's weight to the output's Isyn
in the step after them, as ``full`` links do.  A pool link averages: each input spike
in an output's window adds 1/(kh*kw) (SPAIC 0.6.3 runs ``avg_pool2d`` for a pool link
whether its syn_type says ``maxpool`` or ``avgpool``).

>>> import numpy as np, pyspike.spaic as spaic
>>> a = spaic.NeuronGroup(shape=(1, 5, 5), model="if")
>>> b = spaic.NeuronGroup(shape=(2, 3, 3), model="if")
>>> c = spaic.Connection(a, b, link_type="conv", kernel_size=3, weight=np.ones((2, 1, 3, 3)))
>>> c.weight.shape, c.n_synapses
((2, 1, 3, 3), 162)
"""
from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from . import context
from .connections import Connection
from .initializers import BaseInitializer

#: the keyword arguments of each, with SPAIC's defaults
_CONV = {"kernel_size": [3, 3], "stride": 1, "padding": 0, "dilation": 1, "groups": 1,
         "in_channels": None, "out_channels": None, "w_std": 0.05, "w_mean": 0.05,
         "weight": None, "bias": None, "is_parameter": True, "w_min": None, "w_max": None}
_POOL = {"pool_kernel_size": [2, 2], "pool_stride": 2, "pool_padding": 0}


def _error(message: str, symbol: Optional[str] = None):
    return ModelError(message, where="Connection", symbol=symbol)


def _pair(value, name: str) -> Tuple[int, int]:
    v = np.atleast_1d(np.asarray(value))
    if v.size == 1:
        v = np.repeat(v, 2)
    if v.shape != (2,) or v.dtype.kind not in "iu" and not np.all(v == np.round(v)):
        raise _error(f"{name} is one whole number or two, not {value!r}", symbol=name)
    return int(v[0]), int(v[1])


def _image(end, what: str) -> Tuple[int, int, int]:
    shape = tuple(getattr(end, "shape", ()) or ())
    if len(shape) != 3:
        raise _error(f"a convolution or pooling reads images: give the {what} group "
                     f"'{end.name}' a shape (channels, height, width), not {shape}",
                     symbol="shape")
    return shape


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """The output length of a convolution along one axis, as torch computes it."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def geometry(pre_shape, post_shape, kernel, stride, padding, dilation):
    """(post, pre, element) of every synapse, ordered by pre then post (pyspike's order):
    input channel c_in at (y*s - p + ky*d, x*s - p + kx*d) to output (c_out, y, x), the
    element (c_out, c_in, ky, kx) of the kernel, flattened."""
    (ci, h, w), (co, ho, wo) = pre_shape, post_shape
    kh, kw = kernel
    o, c, y, x, ky, kx = np.meshgrid(np.arange(co), np.arange(ci), np.arange(ho),
                                     np.arange(wo), np.arange(kh), np.arange(kw),
                                     indexing="ij")
    iy = y * stride[0] - padding[0] + ky * dilation[0]
    ix = x * stride[1] - padding[1] + kx * dilation[1]
    inside = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
    post = ((o * ho + y) * wo + x)[inside]
    pre = ((c * h + iy) * w + ix)[inside]
    element = (((o * ci + c) * kh + ky) * kw + kx)[inside]
    order = np.lexsort((post, pre))
    return post[order], pre[order], element[order]


#: the hidden group of a conv link with max pooling: the convolution's output C of this
#: step's spikes at every position, read (max) at the start of the next step, then zeroed
_HIDDEN = NeuronModel(equations="C : 1  # this step's convolution", update="C = 0")


class _Stage(NamedTuple):
    """One linear, translation-invariant stage: a convolution or an average pooling."""
    kernel: Tuple[int, int]
    stride: Tuple[int, int]
    padding: Tuple[int, int]
    dilation: Tuple[int, int]


_NONE = _Stage((1, 1), (1, 1), (0, 0), (1, 1))   # (no pooling)


def _chain(kind: str, syn_type) -> list:
    """SPAIC's syn_type of a conv or pool link, checked: what pyspike builds."""
    chain = [syn_type] if isinstance(syn_type, str) else list(syn_type or [
        "conv" if kind == "conv" else "maxpool"])
    ok = ([["conv"], ["basic"], ["conv", "avgpool"], ["conv", "maxpool"]]
          if kind == "conv" else [["maxpool"], ["avgpool"]])
    if chain not in ok:
        raise _error(f"syn_type {chain} on a {kind} link: pyspike builds "
                     + (f"{ok[0]}, {ok[2]} or {ok[3]} (the average or the largest of the "
                        "convolution's outputs in each window); pooling before the "
                        "convolution within one link is not built (join a pool link "
                        "before the conv link)"
                        if kind == "conv" else
                        "['maxpool'] or ['avgpool'] (both average, as SPAIC 0.6.3)"),
                     symbol="syn_type")
    return chain


def _stages(kind: str, chain, opt, image, out) -> Tuple[_Stage, _Stage]:
    """(the convolution, the pooling after it) of a link, checked against the shapes."""
    pool = _NONE
    if kind == "pool" or "avgpool" in chain or "maxpool" in chain:
        pool = _Stage(_pair(opt["pool_kernel_size"], "pool_kernel_size"),
                      _pair(opt["pool_stride"], "pool_stride"),
                      _pair(opt["pool_padding"], "pool_padding"), (1, 1))
        if kind == "conv" and "avgpool" in chain and pool.padding != (0, 0):
            raise _error("pool_padding within a conv link is not built (the padded "
                         "averages are not one kernel)", symbol="pool_padding")
    conv = _NONE
    if kind == "conv":
        conv = _Stage(_pair(opt["kernel_size"], "kernel_size"), _pair(opt["stride"], "stride"),
                      _pair(opt["padding"], "padding"), _pair(opt["dilation"], "dilation"))
        if opt["groups"] != 1:
            raise _error(f"groups={opt['groups']}: pyspike builds convolutions of one "
                         "group (as SPAIC's kernel shape assumes)", symbol="groups")
        for given, have, what in ((opt["in_channels"], image[0], "in_channels"),
                                  (opt["out_channels"], out[0], "out_channels")):
            if given is not None and int(given) != have:
                raise _error(f"{what}={given} but the group has {have} channels",
                             symbol=what)
    elif out[0] != image[0]:
        raise _error(f"a pool link keeps the channels: {image[0]} in, {out[0]} out",
                     symbol="shape")
    size = [out_size(out_size(image[a], conv.kernel[a - 1], conv.stride[a - 1],
                              conv.padding[a - 1], conv.dilation[a - 1]),
                     pool.kernel[a - 1], pool.stride[a - 1], pool.padding[a - 1])
            for a in (1, 2)]
    if tuple(out) != (out[0], *size):
        raise _error(f"the {kind} link makes outputs of shape {(out[0], *size)} from "
                     f"an input of shape {tuple(image)}, but the target has shape "
                     f"{tuple(out)}", symbol="shape")
    return conv, pool


def _effective_shape(conv: _Stage, pool: _Stage) -> Tuple[int, int]:
    """The extent of the kernel that pooling after a convolution amounts to."""
    return tuple((pool.kernel[a] - 1) * conv.stride[a] + (conv.kernel[a] - 1) *
                 conv.dilation[a] + 1 for a in (0, 1))


def effective_kernel(weight: np.ndarray, conv: _Stage, pool: _Stage) -> np.ndarray:
    """The kernel of a convolution followed by an average pooling without padding: each
    element of ``weight`` at every offset r*stride + k*dilation of the pooling window,
    divided by the window's area (the same sums, in another order)."""
    co, ci, kh, kw = weight.shape
    out = np.zeros((co, ci) + _effective_shape(conv, pool))
    ky, kx = np.arange(kh) * conv.dilation[0], np.arange(kw) * conv.dilation[1]
    area = pool.kernel[0] * pool.kernel[1]
    for ry in range(pool.kernel[0]):
        for rx in range(pool.kernel[1]):
            y, x = ry * conv.stride[0] + ky, rx * conv.stride[1] + kx
            out[:, :, y[:, None], x[None, :]] += weight / area
    return out


def _per_channel(image, out, stage: _Stage):
    """(post, pre, element) of a window ``stage`` applied to each channel on its own
    (element: the position in the window), ordered by pre then post."""
    post, pre, element = geometry((1,) + tuple(image[1:]), (1,) + tuple(out[1:]),
                                  stage.kernel, stage.stride, stage.padding, stage.dilation)
    c = np.arange(out[0])[:, None]
    rows = (c * out[1] * out[2] + post[None, :]).ravel()
    cols = (c * image[1] * image[2] + pre[None, :]).ravel()
    order = np.lexsort((rows, cols))
    return rows[order], cols[order], np.tile(element, out[0])[order]


def _bias(given, channels: int) -> Optional[np.ndarray]:
    """A conv link's bias, one value per output channel (or an initialiser's draw)."""
    if given is None:
        return None
    b = given.sample((channels,)) if isinstance(given, BaseInitializer) else given
    b = np.array(b, dtype=np.float64).reshape(-1)
    if b.shape != (channels,) or not np.all(np.isfinite(b)):
        raise _error(f"bias gives one finite value per output channel ({channels}), not "
                     f"{given!r}", symbol="bias")
    return b


class ConvConnection(Connection):
    """SPAIC's conv and pool links (see the module's doc): ``weight`` is the kernel,
    (out_channels, in_channels, kh, kw) for conv; a pool link has no weights."""

    def __init__(self, pre, post, name: Optional[str] = None, link_type: str = "conv",
                 syn_type=None, max_delay: float = 0.0, sparse_with_mask: bool = False,
                 pre_var_name: str = "O", post_var_name: str = "Isyn",
                 syn_kwargs: Optional[dict] = None, **kwargs):
        kind = CONV_TYPES[link_type]
        defaults = dict(_CONV, **_POOL) if kind == "conv" else dict(_POOL)
        for key in kwargs:
            if key not in defaults:
                raise _error(f"unknown argument {key!r} for a {kind} connection (it takes "
                             f"{', '.join(sorted(defaults))})", symbol=key)
        chain = _chain(kind, syn_type)
        if max_delay:
            raise _error(f"a {kind} link has no delays (max_delay {max_delay!r})",
                         symbol="max_delay")
        if pre_var_name != "O":
            raise _error(f"a {kind} link carries spikes (pre_var_name 'O'), not "
                         f"{pre_var_name!r}", symbol="pre_var_name")
        opt = {k: kwargs.get(k, v) for k, v in defaults.items()}
        image, out = _image(pre, "pre"), _image(post, "post")
        self.name, self.pre, self.post = name, pre, post
        self.link_type, self.syn_type, self.max_delay = kind, chain, 0.0
        self.sparse_with_mask, self.delay, self.lowered, self._also = False, None, None, []
        self.pre_var_name, self.post_var_name = pre_var_name, post_var_name
        self.w_min, self.w_max = opt.get("w_min"), opt.get("w_max")
        self.is_parameter = bool(opt.get("is_parameter", False)) and kind == "conv"
        self.kwargs, self.syn_kwargs = dict(kwargs), dict(syn_kwargs or {})
        self.stages = _stages(kind, chain, opt, image, out)
        conv, pool = self.stages
        self.pool_max = "maxpool" in chain and kind == "conv"
        if self.pool_max:        # the convolution into hidden positions, then each window
            mid = (out[0],) + tuple(out_size(image[a], conv.kernel[a - 1], conv.stride[a - 1],
                                             conv.padding[a - 1], conv.dilation[a - 1])
                                    for a in (1, 2))
            self.rows, self.cols, self.element = geometry(
                image, mid, conv.kernel, conv.stride, conv.padding, conv.dilation)
            self.windows = _per_channel(mid, out, pool)[:2]       # (post, hidden) pairs
            self.hidden = int(np.prod(mid))     # (positions no window reads included)
        elif kind == "conv":
            stride = (conv.stride[0] * pool.stride[0], conv.stride[1] * pool.stride[1])
            self.rows, self.cols, self.element = geometry(
                image, out, _effective_shape(conv, pool), stride, conv.padding, (1, 1))
        else:                     # a pool link: each channel its own, one shared weight
            self.rows, self.cols, self.element = _per_channel(image, out, pool)
        if kind == "conv":
            self._weight = self._kernel(opt, (out[0], image[0]) + conv.kernel)
            self.bias = _bias(opt["bias"], out[0])
        else:
            self._weight, self.bias = np.zeros(0), None
        context.register(self)

    def _kernel(self, opt, shape) -> np.ndarray:
        weight = opt["weight"]
        if weight is None:      # SPAIC's default, from NumPy's global generator
            weight = opt["w_std"] * np.random.randn(*shape) + opt["w_mean"]
        elif isinstance(weight, BaseInitializer):
            weight = weight.sample(shape)
        weight = np.array(weight, dtype=np.float64)
        if weight.shape != shape:
            raise _error(f"the kernel has shape {weight.shape}, not (out_channels, "
                         f"in_channels, kh, kw) = {shape}", symbol="weight")
        if not np.all(np.isfinite(weight)):
            raise _error("weight holds NaN or infinite values", symbol="weight")
        return self.clip(weight)

    # -- what the base class answers for (post, pre) matrices ----------------------------
    @property
    def values_carried(self) -> int:
        """The values carried into the targets' Iext each step (synapse_types.Carriers):
        the bias, the max pooling."""
        return int(self.bias is not None) + int(self.pool_max)

    @property
    def shape(self):
        """The kernel's shape (SPAIC's ``self.shape`` of a conv link)."""
        return self._weight.shape

    @property
    def n_synapses(self) -> int:
        return int(self.rows.size)

    @property
    def mask(self) -> np.ndarray:
        """Every element of the kernel is used (the shape of ``weight``)."""
        return np.ones(self.shape, dtype=bool)

    @mask.setter
    def mask(self, value) -> None:
        # (a loaded file gives the mask it saved: the kernel's, every element used)
        if not np.all(np.asarray(value, dtype=bool)) or np.shape(value) != self.shape:
            raise _error(f"a {self.link_type} link uses every element of its kernel "
                         f"{self.shape}: its mask cannot leave one out", symbol="mask")

    def pairs(self):
        return self.rows, self.cols

    @property
    def weight(self) -> np.ndarray:
        """The kernel, (out_channels, in_channels, kh, kw); a pool link has none (no code
        changes it, so the front end's copy is the compiled one)."""
        return self._weight.copy()

    @weight.setter
    def weight(self, value) -> None:
        w = np.array(value, dtype=np.float64)
        if w.shape != self.shape:
            raise _error(f"weight has shape {w.shape}; this {self.link_type} link's kernel "
                         f"is {self.shape}", symbol="weight")
        self._weight = self.clip(w)
        if self.lowered is not None:
            self.lowered[0].w = self.compiled()

    def compiled(self) -> np.ndarray:
        """The values the compiled kernel holds: the weights (averaged over the pooling
        after them), or a pool link's 1/(kh*kw)."""
        conv, pool = self.stages
        if self.link_type == "pool":
            return np.full(pool.kernel[0] * pool.kernel[1],
                           1.0 / (pool.kernel[0] * pool.kernel[1]))
        return effective_kernel(self._weight, conv, _NONE if self.pool_max else pool).ravel()

    def bind(self, synapses, rows, cols, primary: bool = True) -> None:
        self.lowered, self._also = (synapses, rows, cols), []

    def unbind(self) -> None:
        self.lowered = None

    def lower(self, ps, pre, post, var: str, rule, carriers):
        """pyspike Synapses reading the kernel at every position; a bias is a value
        carried into the targets' Iext every step (``carriers``: synapse_types.py)."""
        if rule is not None:
            raise _error(f"the {self.link_type} link '{self.name}' keeps one kernel for "
                         "all positions; pyspike's local learning rules train weights of "
                         "their own (a full or sparse link)", symbol=str(self.name))
        target, add = post, var
        if self.pool_max:      # the convolution's outputs, summed afresh every step
            target, add = ps.NeuronGroup(self.hidden, _HIDDEN), "C"
        S = ps.Synapses(pre, target, model="w : 1", on_pre=f"{add}_post += w",
                        kernel=("w",))
        S.connect(i=self.cols, j=self.rows)
        S.kernel_index = self.element
        S.w = self.compiled()
        self.bind(S, self.rows, self.cols)
        if self.pool_max:      # each window's largest output into the target's Iext
            M = carriers.add(ps, target, post, "C_pre", False, self, self.post, flag="max")
            M.connect(i=self.windows[1], j=self.windows[0])
        if self.bias is not None:             # SPAIC's conv2d adds it at every step
            B = carriers.add(ps, post, post, "w", True, self, self.post)
            B.connect(i=np.arange(post.N), j=np.arange(post.N))
            B.w = np.repeat(self.bias, post.N // self.bias.size)
        return S

    def copy_between(self, pre, post) -> "ConvConnection":
        return ConvConnection(pre, post, link_type=self.link_type, syn_type=self.syn_type,
                              post_var_name=self.post_var_name,
                              **dict(self.kwargs, **({"weight": self._weight.copy()}
                                                     if self.link_type == "conv" else {})))


#: the link types this module builds, by SPAIC's names
CONV_TYPES = {"conv": "conv", "conv_connection": "conv", "pool": "pool",
              "pool_connection": "pool"}
for _name in CONV_TYPES:
    Connection.register(_name, ConvConnection)
