"""A neuron model's fused forward and backward kernels over the T steps of a layer.

:class:`NeuronKernels` derives the model's step and its backward pass (codegen/grad.py),
compiles them once (cached by source, as the simulator's libraries are) and runs them on
NumPy arrays in place: the forward pass over (T, B, N) inputs gives the outputs and keeps
only what the backward pass reads (``saved_per_step`` values per neuron and step); the
backward pass gives the inputs' gradient and the trained parameters'.

>>> import numpy as np
>>> k = NeuronKernels("lif", surrogate="atan", dtype="float64")
>>> x = np.full((3, 1, 2), 0.6)                      # T = 3 steps, 1 sample, 2 neurons
>>> out, ctx = k.forward(x)
>>> out[:, 0, 0]                                     # 0.6, 1.13 (a spike, reset), 0.6
array([0., 1., 0.])
>>> gin, gp = k.backward(np.ones_like(out), ctx)
>>> gin.shape, k.saved_per_step
((3, 1, 2), 1)
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import sympy as sp

from ..codegen.errors import ModelError
from ..codegen.grad import TrainingKernel
from ..codegen.pipeline import generate_layer
from ..codegen.render_training import TRAINING_ABI
from ..codegen.spec import LayerSpec
from ..model import NeuronModel
from ..toolchain.compile import CXXFLAGS, LIBMVEC, compile_library

#: One flag more than the simulator's: the reductions of parameter gradients vectorise.
FLAGS = CXXFLAGS + LIBMVEC + ("-fopenmp-simd",)
_DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass
class Context:
    """What a forward pass keeps for its backward pass."""
    saved: Optional[np.ndarray]  # (values per step, T, B, N); None: recomputed
    state0: np.ndarray         # (carried states, B, N): the states before the run
    out: np.ndarray            # (T, B, N): the outputs (a recurrent layer reads them)
    params: np.ndarray         # the parameter vector the forward pass ran with
    wrec: Optional[np.ndarray] = None
    out_prev: Optional[np.ndarray] = None   # (B, N): outputs of the step before the run
    checkpoints: Tuple[np.ndarray, ...] = ()  # the states every `checkpoint` steps
    bias: Optional[np.ndarray] = None        # added to the input (recomputed pieces)
    pn: Optional[np.ndarray] = None          # the parameters with a value per neuron


def model_of(model: Union[str, NeuronModel]) -> NeuronModel:
    """A NeuronModel given itself or its library name."""
    if isinstance(model, NeuronModel):
        return model
    from ..models import registry
    import pyspike.models  # noqa: F401  (fills the registry)
    return registry.neurons[model]


def _input_name(model: NeuronModel, given: Optional[str]) -> str:
    if given:
        return given
    for name in ("Isyn", "I", "x"):
        if name in model.variables:
            return name
    raise ModelError("the model has no input named Isyn, I or x: say which of its variables"
                     f" the layer's input sets with input= (its variables: "
                     f"{', '.join(model.variables)})", where="input")


def _start(name: str, value, values: Mapping[str, float], where: str) -> float:
    """A state's initial value: a number, or an expression of the parameters (Izhikevich's
    u = b*V), parsed by the model's parser and evaluated as the front end evaluates
    initial values (pyspike/evaluate.py)."""
    if not isinstance(value, str):
        return _number(name, value, where)
    from ..codegen.expressions import Context, parse_expression
    from ..codegen.functions import Rand, Randn
    from ..evaluate import evaluate
    names = {k: sp.Symbol(k, real=True) for k in values}
    expr = parse_expression(value, names, Context(where=f"the initial value of {name}",
                                                  line=value, lineno=1, random_sites=[]))
    if expr.has(Rand, Randn):
        raise ModelError(f"the initial value {value!r} of {name!r} draws random numbers: a "
                         "training layer starts every neuron alike; give a number with init=",
                         where="init", symbol=name)
    return float(evaluate(expr, dict(values)))


def _number(name: str, value, where: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ModelError(f"the parameter {name!r} = {value!r} is not a number: a training "
                         "layer takes numbers (in the model's units)", where=where,
                         symbol=name) from None


class NeuronKernels:
    """The compiled forward and backward kernels of one neuron model (see the module).

    ``params`` override the model's values; ``trainable`` names the parameters whose
    gradient the backward pass gives; ``init`` the states' values before a run (the
    model's initial values by default).  ``per_neuron`` names parameters with a value per
    neuron (``values[p]``: a number or N of them; trained, their gradient is per neuron
    too).  ``checkpoint=K`` keeps only the states every K
    steps instead of ``saved_per_step`` values per step, and the backward pass computes
    each piece again (its input given back to it).  ``backend`` "cpu" runs the generated C++,
    "numpy" the NumPy reference of the same statements (pyspike/train/reference.py),
    "cuda" the generated CUDA on CuPy arrays (pyspike/train/cuda.py).
    """

    def __init__(self, model: Union[str, NeuronModel] = "lif", *, input: Optional[str] = None,
                 surrogate: str = "atan", alpha: Optional[float] = None,
                 params: Optional[Mapping[str, float]] = None,
                 init: Optional[Mapping[str, float]] = None, trainable: Sequence[str] = (),
                 detach_reset: bool = False, smooth: bool = False,
                 output: Optional[str] = None, dt: float = 1.0, dtype: str = "float32",
                 backend: str = "cpu", recurrent: bool = False,
                 checkpoint: Optional[int] = None, per_neuron: Sequence[str] = ()):
        self.model = model_of(model)
        if dtype not in _DTYPES:
            raise ModelError(f"dtype must be 'float32' or 'float64', not {dtype!r}",
                             where="dtype", symbol=str(dtype))
        self.dtype = np.dtype(_DTYPES[dtype])
        if backend not in ("cpu", "cuda", "numpy"):
            raise ModelError(f"backend must be 'cpu', 'cuda' or 'numpy', not {backend!r}",
                             where="backend", symbol=str(backend))
        m = self.model
        spec = LayerSpec(m.equations, m.update, m.threshold, m.reset, tuple(m.params),
                         _input_name(m, input), m.method, output, surrogate, alpha, smooth,
                         detach_reset, tuple(trainable), recurrent, m.refractory,
                         tuple(per_neuron))
        target = {"cpu": "cpp"}.get(backend, backend)
        generated = generate_layer(spec, target, "double" if self.dtype == np.float64
                                   else "float")
        self.kernel: TrainingKernel = generated.kernel
        step = self.kernel.step
        where = m.name or "the model"
        values = {k: v for k, v in m.params.items()}
        values.update(m.init)
        unknown = set(params or {}) - set(step.params) - set(m.params)
        if unknown:
            name = sorted(unknown)[0]
            raise ModelError(f"{name!r} is not a parameter of {where} (its parameters: "
                             f"{', '.join(p for p in step.params if p != 'dt')})",
                             where="params", symbol=name)
        values.update(params or {})
        values["dt"] = dt
        #: the parameter vector's values by name (trained ones change between calls)
        self.values: Dict[str, float] = {
            p: _number(p, values.get(p, 0.0), where) for p in step.params}
        self.values["_alpha"] = self.kernel.alpha
        start = dict(m.init)
        start.update(init or {})
        known = dict(self.values)
        for n, v in start.items():         # (an initial value may read the ones before)
            known[n] = _start(n, v, known, where)
        added = dict(step.initial)          # (the refractory clock or flag)
        self.init = np.array([known.get(n, added.get(n, 0.0)) for n in step.carried],
                             dtype=self.dtype)
        self.recurrent = recurrent
        if checkpoint is not None and (not isinstance(checkpoint, int) or checkpoint < 1):
            raise ModelError(f"checkpoint must be a number of steps >= 1, not "
                             f"{checkpoint!r}", where="checkpoint", symbol="checkpoint")
        if checkpoint is not None and backend == "cuda":
            raise ModelError("checkpoint= runs on the CPU kernels (and the reference) for "
                             "now, not on CUDA", where="checkpoint", symbol="checkpoint")
        #: None: the forward pass saves what the backward pass reads; K: it keeps the
        #: states every K steps only, and the backward pass recomputes each piece
        self.checkpoint = checkpoint
        self.backend = backend
        self._lib = None
        self._cuda = None
        if backend == "cpu":
            self._lib = _load(generated.source)
        elif backend == "cuda":     # device arrays in and out (pyspike/train/cuda.py)
            from .cuda import CudaKernels
            self._cuda = CudaKernels.compile(generated.source)

    @property
    def saved_per_step(self) -> int:
        """Values kept per neuron and step for the backward pass."""
        return self.kernel.saved_per_step

    @property
    def trainable(self) -> Tuple[str, ...]:
        return self.kernel.trained

    def param_vector(self) -> np.ndarray:
        """The scalar parameters (a parameter with a value per neuron: 0 here)."""
        return np.array([0.0 if p in self.kernel.per_neuron else self.values[p]
                         for p in self.kernel.params], dtype=np.float64)

    def neuron_values(self, N: int) -> Optional[np.ndarray]:
        """The parameters with a value per neuron (``per_neuron``), (their number, N): each
        ``values[p]``, a number or N of them; None without such parameters."""
        if not self.kernel.per_neuron:
            return None
        rows = []
        for p in self.kernel.per_neuron:
            v = np.asarray(self.values[p], dtype=self.dtype)
            if v.shape not in ((), (N,)):
                raise ModelError(f"the values of {p!r} must be one number or {N} (one per "
                                 f"neuron), not the shape {v.shape}", where="per_neuron",
                                 symbol=p)
            rows.append(np.broadcast_to(v, (N,)))
        return np.ascontiguousarray(np.stack(rows))

    def forward(self, input: np.ndarray, state0: Optional[np.ndarray] = None,
                wrec: Optional[np.ndarray] = None, out_prev: Optional[np.ndarray] = None,
                bias: Optional[np.ndarray] = None) -> Tuple[np.ndarray, Context]:
        """(outputs, context) of the steps over ``input`` (T, B, N), from the states
        ``state0`` (the initial values by default); ``out_prev``: the outputs of the step
        before (a recurrent layer's run in pieces); ``bias`` (N): added to the input of
        every step (the input's gradient is the bias's, summed).  The states after the
        run are ``self.state``."""
        if self._cuda is not None:
            if bias is not None:
                input = input + bias
            return self._cuda.forward(self, input, state0, wrec)
        x = self._array(input, "input", 3)
        T, B, N = x.shape
        if state0 is None:
            state0 = np.broadcast_to(self.init[:, None, None],
                                     (len(self.init), B, N)).astype(self.dtype)
        wrec = self._wrec(wrec, N)
        params, pn = self.param_vector(), self.neuron_values(N)
        if bias is not None:
            bias = np.ascontiguousarray(bias, dtype=self.dtype)
            if bias.shape != (N,):
                raise ModelError(f"the bias must have {N} values, not the shape "
                                 f"{bias.shape}", where="bias")
        out = np.empty_like(x)
        K = self.checkpoint or T
        state, prev, checkpoints, saved = state0, out_prev, [], None
        for t0 in range(0, T, K):       # (one piece unless checkpoint= is set)
            checkpoints.append(state)
            piece = slice(t0, min(T, t0 + K))
            saved, state = self._run_forward(x[piece], out[piece], state, params, wrec, prev,
                                             bias, pn)
            prev = out[piece.stop - 1]
        self.state = state
        if self.checkpoint:
            return out, Context(None, state0, out, params, wrec, out_prev, tuple(checkpoints),
                                bias, pn)
        return out, Context(saved, state0, out, params, wrec, out_prev, pn=pn)

    def _run_forward(self, x, out, state0, params, wrec, out_prev, bias=None, pn=None):
        T, B, N = x.shape
        saved = np.empty((self.saved_per_step, T, B, N), dtype=self.dtype)
        state = np.empty_like(state0)
        if self._lib is None:
            from .reference import forward as reference_forward
            reference_forward(self.kernel, x, out, saved, state0, state, params, wrec,
                              out_prev, bias, pn)
        else:
            self._lib.ps_train_forward(T, B, N, _p(x), _p(out), _p(saved), _p(state0),
                                       _p(state), _p(params), _p(wrec), _p(out_prev),
                                       _p(bias), _p(pn))
        return saved, state

    def backward(self, gout: np.ndarray, ctx: Context, input: Optional[np.ndarray] = None
                 ) -> Tuple[np.ndarray, Dict[str, float]]:
        """(the inputs' gradient (T, B, N), the trained parameters' gradients) given the
        outputs' gradient; with a recurrent layer, the recurrent weights' gradient is
        ``self.gwrec``.  Kernels with ``checkpoint=`` recompute the forward pass from
        its checkpoints and need its ``input`` again."""
        if self._cuda is not None:
            return self._cuda.backward(self, gout, ctx)
        g = self._array(gout, "gout", 3)
        T, B, N = g.shape
        gin, gparams = self.gradient_buffers(g, ctx.out.shape)
        if ctx.saved is not None:
            self._run_backward(g, gin, ctx.saved, ctx.state0, ctx, ctx.out, ctx.out_prev,
                               gparams, None, None)
            return gin, self._named(gparams)
        if input is None:
            raise ModelError("kernels with checkpoint= recompute the forward pass: give "
                             "backward() the input again", where="backward", symbol="input")
        x = self._array(input, "input", 3)
        K = self.checkpoint
        lam = np.zeros((len(self.kernel.adjoints), B, N), dtype=self.dtype)
        grec = np.zeros((B, N), dtype=self.dtype) if self.recurrent else None
        for k in range(len(ctx.checkpoints) - 1, -1, -1):     # the last piece first
            piece = slice(k * K, min(T, (k + 1) * K))
            prev = ctx.out[piece.start - 1] if piece.start > 0 else ctx.out_prev
            out = np.empty_like(x[piece])
            saved, _ = self._run_forward(x[piece], out, ctx.checkpoints[k], ctx.params,
                                         ctx.wrec, prev, ctx.bias, ctx.pn)
            self._run_backward(g[piece], gin[piece], saved, ctx.checkpoints[k], ctx,
                               out, prev, gparams, lam, grec)
        return gin, self._named(gparams)

    def gradient_buffers(self, g, out_shape, xp=np):
        """(the inputs' gradient, the parameters' gradient sums) to fill, for the outputs'
        gradient ``g`` (checked against the outputs' shape), as arrays of ``xp`` (NumPy
        or CuPy); ``self.gwrec`` zeros for a recurrent layer."""
        if g.shape != tuple(out_shape):
            raise ModelError(f"the outputs' gradient has the shape {g.shape}, the outputs "
                             f"{tuple(out_shape)}", where="backward")
        N = g.shape[2]
        self.gwrec = xp.zeros((N, N), dtype=xp.float64) if self.recurrent else None
        per_neuron = self.kernel.per_neuron
        self.gpn = xp.zeros((len(per_neuron), N), dtype=xp.float64) if per_neuron else None
        return xp.empty_like(g), xp.zeros(max(1, len(self.kernel.trained)), dtype=xp.float64)

    def _run_backward(self, g, gin, saved, state0, ctx, out, out_prev, gparams, lam, grec):
        T, B, N = g.shape
        if self._lib is None:
            from .reference import backward as reference_backward
            reference_backward(self.kernel, g, saved, state0, ctx.params, out, ctx.wrec,
                               out_prev, gin, gparams, self.gwrec, lam, grec, ctx.pn,
                               self.gpn)
        else:
            self._lib.ps_train_backward(T, B, N, _p(g), _p(saved), _p(state0),
                                        _p(ctx.params), _p(gin), _p(gparams), _p(out),
                                        _p(ctx.wrec), _p(self.gwrec), _p(out_prev), _p(lam),
                                        _p(grec), _p(ctx.pn), _p(self.gpn))

    def _named(self, gparams: np.ndarray) -> Dict[str, Union[float, np.ndarray]]:
        """Each trained parameter's gradient: a number, or one per neuron (per_neuron)."""
        per_neuron = self.kernel.per_neuron
        return {p: (self.gpn[per_neuron.index(p)].copy() if p in per_neuron
                    else float(gparams[k])) for k, p in enumerate(self.kernel.trained)}

    def _array(self, a, name: str, ndim: int) -> np.ndarray:
        a = np.ascontiguousarray(a, dtype=self.dtype)
        if a.ndim != ndim:
            raise ModelError(f"{name} must have {ndim} dimensions (steps, samples, neurons),"
                             f" not the shape {a.shape}", where=name)
        return a

    def _wrec(self, wrec, N: int) -> Optional[np.ndarray]:
        if not self.recurrent:
            return None
        w = np.ascontiguousarray(wrec, dtype=self.dtype)
        if w.shape != (N, N):
            raise ModelError(f"the recurrent weights must be ({N}, {N}) (from, to), not "
                             f"{w.shape}", where="wrec")
        return w


def _p(a: Optional[np.ndarray]) -> Optional[int]:
    # the address as an int (a c_void_p argument).  ctypes' view of a writeable buffer
    # costs a third of a.ctypes.data (0.5 against 1.5 us, 24 per layer and batch); a
    # read-only array (a caller's input) takes the slower way.  Every argument here is
    # held by a name (or is a view of an array that is) until the call returns.
    if a is None:
        return None
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))
    except (TypeError, ValueError):
        return a.ctypes.data


_LOADED: Dict[str, ctypes.CDLL] = {}


def _load(source: str) -> ctypes.CDLL:
    """The compiled library of ``source`` (compiled once, cached on disk and here)."""
    lib = compile_library(source, flags=FLAGS, name="training")
    key = str(lib.path)
    if key not in _LOADED:
        handle = ctypes.CDLL(key)
        if handle.ps_train_abi() != TRAINING_ABI:
            raise ModelError(f"the compiled training library {key} has another ABI version;"
                             " clear the cache", where="the compile cache")
        i64, vp = ctypes.c_int64, ctypes.c_void_p
        handle.ps_train_forward.argtypes = [i64, i64, i64] + [vp] * 10
        handle.ps_train_forward.restype = None
        handle.ps_train_backward.argtypes = [i64, i64, i64] + [vp] * 14
        handle.ps_train_backward.restype = None
        _LOADED[key] = handle
    return _LOADED[key]
