"""Spiking layers for gradient training in NumPy: a connection's matrix product over all
steps at once (BLAS through NumPy), then a neuron model's fused kernels over the T steps.

A layer maps (T, B, n_in) to (T, B, n_out); ``backward`` takes the outputs' gradient,
fills ``grads`` (same names as ``params``) and gives the inputs' gradient.  ``params`` are
the arrays an optimiser updates in place: the weights, and each trained neuron parameter
as a 0-d array.

>>> import numpy as np
>>> layer = Linear(4, 3, "lif", seed=0, dtype="float64")
>>> y = layer(np.ones((5, 2, 4)))
>>> y.shape, sorted(layer.params)
((5, 2, 3), ['bias', 'weight'])
>>> gx = layer.backward(np.ones_like(y)); gx.shape, layer.grads["weight"].shape
((5, 2, 4), (3, 4))
"""
from __future__ import annotations

from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

from ..codegen.errors import ModelError
from ..model import NeuronModel
from .kernels import Context, NeuronKernels


class Layer:
    """What every layer has: ``params``, ``grads``, ``forward``/``backward``."""

    params: Dict[str, np.ndarray]
    grads: Dict[str, np.ndarray]
    #: whether backward() computes the inputs' gradient (a first layer's is not needed)
    input_grad: bool = True

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, gout: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class Spiking(Layer):
    """A neuron model's kernels behind a layer's input current (see NeuronKernels for the
    model's options).  Subclasses compute the current and its gradients."""

    def __init__(self, n_out: int, model: Union[str, NeuronModel], *,
                 dtype: str, trainable: Sequence[str], recurrent: bool, **options):
        self.kernels = NeuronKernels(model, dtype=dtype, trainable=tuple(trainable),
                                     recurrent=recurrent, **options)
        self.dtype = self.kernels.dtype
        self.n_out = n_out
        per_neuron = self.kernels.kernel.per_neuron
        # a trained parameter: one number for the layer, or n_out (per_neuron=)
        self.params = {p: (np.full(n_out, self.kernels.values[p], dtype=np.float64)
                           if p in per_neuron else
                           np.array(self.kernels.values[p], dtype=np.float64))
                       for p in self.kernels.trainable}
        self.grads: Dict[str, np.ndarray] = {}
        self._ctx: Optional[Context] = None

    def _input(self, x, n_in: int) -> np.ndarray:
        """``x`` as a contiguous (steps, samples, n_in) array of the layer's dtype, kept
        for the backward pass."""
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if x.ndim != 3 or x.shape[2] != n_in:
            raise ModelError(f"the input must be (steps, samples, {n_in}), not "
                             f"{x.shape}", where=type(self).__name__)
        self._x = x
        return x

    def _neurons_forward(self, current: np.ndarray, wrec=None, bias=None) -> np.ndarray:
        for p in self.kernels.trainable:          # the optimiser changes them in place
            v = self.params[p]
            self.kernels.values[p] = v if v.ndim else float(v)
        out, self._ctx = self.kernels.forward(current, wrec=wrec, bias=bias)
        return out

    def _neurons_backward(self, gout: np.ndarray, current=None) -> np.ndarray:
        """The current's gradient; ``current`` (a callable giving it again) is called
        only by kernels with checkpoints, which recompute the forward pass."""
        if self._ctx is None:
            raise ModelError("backward() needs a forward() first", where="backward")
        again = current() if self.kernels.checkpoint and current is not None else None
        gin, gp = self.kernels.backward(gout, self._ctx, input=again)
        for p, v in gp.items():
            self.grads[p] = np.array(v, dtype=np.float64)
        return gin


def _uniform(rng: np.random.Generator, shape, bound: float, dtype) -> np.ndarray:
    return rng.uniform(-bound, bound, shape).astype(dtype)


class Linear(Spiking):
    """A dense connection (``weight`` (n_out, n_in), ``bias``) into ``n_out`` neurons of
    ``model``; ``recurrent=True`` adds ``recurrent`` weights (n_out, n_out: from, to) from
    the layer's own spikes of the last step.  Weights start as torch.nn.Linear's
    (uniform in +-1/sqrt(n_in)); ``trainable`` names neuron parameters to train too;
    ``checkpoint=K`` keeps the neurons' states every K steps only (NeuronKernels)."""

    def __init__(self, n_in: int, n_out: int, model: Union[str, NeuronModel] = "lif", *,
                 bias: bool = True, recurrent: bool = False, trainable: Sequence[str] = (),
                 seed: Optional[int] = None, dtype: str = "float32",
                 weight_scale: float = 1.0, **options):
        super().__init__(n_out, model, dtype=dtype, trainable=trainable,
                         recurrent=recurrent, **options)
        rng = np.random.default_rng(seed)
        bound = weight_scale / np.sqrt(n_in)
        self.n_in = n_in
        self.params["weight"] = _uniform(rng, (n_out, n_in), bound, self.dtype)
        if bias:
            self.params["bias"] = _uniform(rng, (n_out,), bound, self.dtype)
        if recurrent:
            self.params["recurrent"] = _uniform(rng, (n_out, n_out),
                                                weight_scale / np.sqrt(n_out), self.dtype)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self._input(x, self.n_in)
        # (the bias is added in the neurons' kernel, in the pass over the current it makes)
        return self._neurons_forward(self._current(x), self.params.get("recurrent"),
                                     self.params.get("bias"))

    def _current(self, x: np.ndarray) -> np.ndarray:
        """The current of all steps at once, without the bias."""
        T, B, _ = x.shape
        return (x.reshape(T * B, self.n_in) @ self.params["weight"].T).reshape(
            T, B, self.n_out)

    def backward(self, gout: np.ndarray) -> np.ndarray:
        # (with checkpoints the current is computed again: one product, no T x B x n_out
        # array kept between the passes)
        gin = self._neurons_backward(np.ascontiguousarray(gout, dtype=self.dtype),
                                     lambda: self._current(self._x))
        T, B, _ = gin.shape
        g2 = gin.reshape(T * B, self.n_out)
        x2 = self._x.reshape(T * B, self.n_in)
        self.grads["weight"] = g2.T @ x2
        if "bias" in self.params:            # (a product with ones: BLAS, 4x np.sum's speed)
            self.grads["bias"] = np.ones(len(g2), dtype=g2.dtype) @ g2
        if "recurrent" in self.params:
            self.grads["recurrent"] = self.kernels.gwrec.astype(self.dtype)
        if not self.input_grad:
            return None
        return (g2 @ self.params["weight"]).reshape(T, B, self.n_in)


class Sequential(Layer):
    """Layers one after the other; ``params``/``grads`` named ``"<index>.<name>"``.
    ``backward`` gives the inputs' gradient only with ``input_grad=True``.

    >>> net = Sequential(Linear(4, 8, seed=0), Linear(8, 2, seed=1))
    >>> net(np.ones((3, 1, 4), np.float32)).shape
    (3, 1, 2)
    """

    def __init__(self, *layers: Layer, input_grad: bool = False):
        self.layers = list(layers)
        if self.layers:            # the data's gradient: only if asked for
            self.layers[0].input_grad = input_grad
        self.input_grad = input_grad

    @property
    def params(self) -> Dict[str, np.ndarray]:
        return {f"{k}.{n}": a for k, layer in enumerate(self.layers)
                for n, a in layer.params.items()}

    @property
    def grads(self) -> Dict[str, np.ndarray]:
        return {f"{k}.{n}": a for k, layer in enumerate(self.layers)
                for n, a in layer.grads.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, gout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            gout = layer.backward(gout)
        return gout

    def load(self, values: Mapping[str, np.ndarray]) -> None:
        """Set the parameters from ``values`` (names as ``params``), shapes checked."""
        params = self.params
        for name, v in values.items():
            if name not in params or np.shape(v) != params[name].shape:
                raise ModelError(f"{name!r} with the shape {np.shape(v)} is not a parameter "
                                 "of this network", where="Sequential.load", symbol=name)
            params[name][...] = v
