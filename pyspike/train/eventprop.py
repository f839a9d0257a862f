"""EventProp: exact gradients of feed-forward spiking networks in continuous time
(Wunderlich & Pehle 2021), an alternative to the surrogate-gradient layers.

Each layer's backward pass is derived with sympy from its model's equations, threshold,
reset and synaptic jump (codegen/eventprop.py) and runs in continuous time
(pyspike/train/eventprop_sim.py): spike times are found by root finding, so they move
smoothly with the weights and the gradient is the loss's true derivative wherever no spike
appears or disappears (tests/train/test_eventprop.py checks it against finite differences).

A network is :class:`EventPropLayer`\\ s in an :class:`EventPropNetwork`; it has
``forward``/``backward``/``params``/``grads`` as the other layers, so ``fit`` and the
optimisers take it.  Its input is one spike time per input neuron, shape (samples, inputs)
in ms, NaN or inf for none (:func:`latency_code`), or a raster (steps, samples, inputs) of
0/1 with step n at n*dt.  Its output is the last layer's recorded potential at the grid
times (steps, samples, classes) where that layer records one (``record="V"``: the
membrane losses ``cross_entropy_membrane``/``mse_membrane`` then apply, and their gradient
at each grid time is a jump of the adjoint), else minus the first spike time of each
output neuron, shape (1, samples, classes) (the duration for a silent neuron), for
:func:`latency_cross_entropy`; in both cases the largest value is the predicted class, so
``fit(..., on="membrane")`` measures accuracy.

A toy latency task (which of two inputs spikes first) learns in a few epochs:

>>> import numpy as np
>>> from pyspike.train import fit, Adam
>>> rng = np.random.default_rng(0)
>>> x = rng.random((96, 2)); y = (x[:, 0] > x[:, 1]).astype(int)
>>> net = EventPropNetwork(EventPropLayer(3, 16, seed=0, mean=2.0, std=1.0),
...                        EventPropLayer(16, 2, seed=1, mean=1.5, std=0.5),
...                        duration=20.0, dt=1.0)
>>> code = latency_code(t_max=10.0, bias=0.0)          # x -> spikes at (1 - x) 10 ms
>>> h = fit(net, x, y, epochs=8, batch_size=32, loss=latency_cross_entropy, on="membrane",
...         optimizer=Adam(2e-2), encode=code, validation=(x, y), progress=False)
>>> round(h.epochs[0]["accuracy"], 2), h.best > 0.9
(0.51, True)

A neuron that never fires has no spike time to move, so it gets no gradient (EventProp's
dead-neuron problem): start from weights that make the outputs fire (the example's
initialisation) and keep the learning rate moderate.

Slow parts: see pyspike/train/eventprop_sim.py (Python loops over the grid's stops and
over the spikes within them; NumPy float64).  Not yet here: recurrent connections,
delays, trainable time constants, loss terms integrated over time other than through the
grid samples, refractory periods.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np

from ..codegen.errors import ModelError
from ..codegen.eventprop import eventprop_model
from ..model import NeuronModel
from . import eventprop_sim as sim
from .losses import check_labels, check_output, softmax_cross_entropy

#: Models written for EventProp: the paper's LIF with an exponential current synapse,
#: its non-spiking readout, and a LIF with an adaptive threshold; dimensionless, times in ms.
_LIF = "dV/dt = (-V + I)/tau_m : 1\ndI/dt = -I/tau_syn : 1"
MODELS: Dict[str, Dict[str, object]] = {
    "lif": dict(equations=_LIF, threshold="V > theta", reset="V = 0",
                params={"tau_m": 20.0, "tau_syn": 5.0, "theta": 1.0}),
    "li": dict(equations=_LIF, params={"tau_m": 20.0, "tau_syn": 5.0}),
    "alif": dict(equations=_LIF + "\ndA/dt = -A/tau_a : 1", threshold="V > theta + A",
                 reset="V = 0; A += beta",
                 params={"tau_m": 20.0, "tau_syn": 5.0, "theta": 1.0, "tau_a": 50.0,
                         "beta": 0.2}),
}


def _texts(model: Union[str, NeuronModel]) -> Tuple[str, str, str, Dict[str, float], Dict]:
    """(equations, threshold, reset, parameter values, initial values) of a model."""
    if isinstance(model, str):
        if model not in MODELS:
            raise ModelError(f"there is no EventProp model {model!r}: choose one of "
                             f"{', '.join(MODELS)} or give a NeuronModel", where="model",
                             symbol=model)
        spec = MODELS[model]
        return (spec["equations"], spec.get("threshold", ""), spec.get("reset", ""),
                dict(spec["params"]), {})
    if not isinstance(model, NeuronModel):
        raise ModelError(f"model must be a name ({', '.join(MODELS)}) or a NeuronModel, not "
                         f"{type(model).__name__}", where="model")
    if model.update:
        raise ModelError("the model has discrete update statements: EventProp needs "
                         "differential equations for the flow between spikes",
                         where="model", symbol="update")
    if model.refractory is not None:
        raise ModelError(f"the model has a refractory period ({model.refractory!r}): "
                         "EventProp layers do not hold a neuron through one yet",
                         where="model", symbol="refractory")
    return model.equations, model.threshold, model.reset, dict(model.params), dict(model.init)


class EventPropLayer:
    """``n_out`` neurons of ``model`` behind a dense connection from ``n_in`` (``weight``,
    shape (n_out, n_in), drawn from a normal distribution of ``mean`` and ``std``, by
    default 0 and 1/sqrt(n_in)); a presynaptic spike runs ``on_pre`` with ``weight`` (the
    name ``on_pre`` gives the synapse's weight, ``w``) the weight.
    ``record`` names a state recorded at the grid times (a readout's ``"V"``); ``params``
    override the model's values, ``init`` the states' values at t = 0 (0 by default)."""

    def __init__(self, n_in: int, n_out: int, model: Union[str, NeuronModel] = "lif", *,
                 on_pre: str = "I += w", weight: str = "w", record: Optional[str] = None,
                 params: Optional[Mapping[str, float]] = None,
                 init: Optional[Mapping[str, float]] = None, mean: float = 0.0,
                 std: Optional[float] = None, seed: Optional[int] = None,
                 method: Optional[str] = None):
        equations, threshold, reset, values, start = _texts(model)
        values.update(params or {})
        start.update(init or {})
        self.model = eventprop_model(equations, threshold, reset, on_pre, params=list(values),
                                     weight=weight, spiking=bool(threshold))
        if record is not None and record not in self.model.states:
            raise ModelError(f"record={record!r} is not a state of the layer's model (its "
                             f"states: {', '.join(self.model.states)})", where="EventPropLayer",
                             symbol=str(record))
        if not threshold and record is None:
            raise ModelError("the layer's model has no threshold, so it has no spikes: name "
                             "the state it records with record= (a readout's 'V')",
                             where="EventPropLayer", symbol="record")
        # a declared variable that nothing changes is a constant: init= gives its value
        constants = {k: v for k, v in start.items() if k not in self.model.states}
        self.compiled = sim.Compiled(self.model, {k: float(v) for k, v in
                                                  {**constants, **values}.items()},
                                     method, record)
        self.x0 = np.array([float(start.get(n, 0.0)) for n in self.model.states])
        self.n_in, self.n_out, self.record = n_in, n_out, record
        rng = np.random.default_rng(seed)
        scale = 1.0 / np.sqrt(n_in) if std is None else std
        self.params = {"weight": rng.normal(mean, scale, (n_out, n_in))}
        self.grads: Dict[str, np.ndarray] = {}


def _pad(sample: np.ndarray, index: np.ndarray, time: np.ndarray, bsz: int
         ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spikes as (B, E) arrays sorted by time in each row: times (+inf pads), sources and
    the position of each in the flat order given (-1 pads)."""
    order = np.lexsort((time, sample))
    counts = np.bincount(sample, minlength=bsz)
    width = int(counts.max()) if counts.size else 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rows = sample[order]
    cols = np.arange(order.size) - starts[rows]
    t = np.full((bsz, width), np.inf)
    src = np.zeros((bsz, width), int)
    ids = np.full((bsz, width), -1)
    t[rows, cols], src[rows, cols], ids[rows, cols] = time[order], index[order], order
    return t, src, ids


def _input_spikes(x: np.ndarray, n_in: int, dt: float
                  ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The network's input as flat (sample, input, time) arrays."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == n_in:
        sample, index = np.nonzero(np.isfinite(x))
        time = x[sample, index]
    elif x.ndim == 3 and x.shape[2] == n_in:
        step, sample, index = np.nonzero(x)
        time = step * dt
    else:
        raise ModelError(f"the input must be spike times (samples, {n_in}) or a raster "
                         f"(steps, samples, {n_in}); got shape {x.shape}",
                         where="EventPropNetwork", symbol="x")
    if np.any(time < 0):
        raise ModelError("input spike times must not be negative", where="EventPropNetwork",
                         symbol="x")
    return sample, index, time


class EventPropNetwork:
    """Feed-forward :class:`EventPropLayer`\\ s run for ``duration`` ms; ``dt`` is the grid
    on which a readout records and a crossing is checked (see the module's text).
    ``params``/``grads`` are named ``"<layer>.weight"``."""

    def __init__(self, *layers: EventPropLayer, duration: float, dt: float = 0.1):
        if not layers:
            raise ModelError("an EventPropNetwork needs at least one layer",
                             where="EventPropNetwork")
        for a, b in zip(layers, layers[1:]):
            if a.n_out != b.n_in:
                raise ModelError(f"a layer of {a.n_out} neurons feeds one of {b.n_in} inputs",
                                 where="EventPropNetwork", symbol="layers")
            if not a.compiled.spiking:
                raise ModelError("only the last layer may be a readout without spikes",
                                 where="EventPropNetwork", symbol="layers")
        if not duration > 0 or not dt > 0 or abs(duration / dt - round(duration / dt)) > 1e-9:
            raise ModelError(f"duration ({duration!r}) must be a positive whole number of "
                             f"steps dt ({dt!r})", where="EventPropNetwork", symbol="dt")
        self.layers = list(layers)
        self.duration, self.dt = float(duration), float(dt)
        self.spikes: List[sim.Spikes] = []
        self._tapes: List[Tuple[sim.Tape, np.ndarray]] = []

    @property
    def params(self) -> Dict[str, np.ndarray]:
        return {f"{k}.weight": layer.params["weight"] for k, layer in enumerate(self.layers)}

    @property
    def grads(self) -> Dict[str, np.ndarray]:
        return {f"{k}.weight": layer.grads["weight"] for k, layer in enumerate(self.layers)
                if "weight" in layer.grads}

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The output for the input ``x`` (see the module's text)."""
        x = np.asarray(x)
        bsz = x.shape[-2]
        sample, index, time = _input_spikes(x, self.layers[0].n_in, self.dt)
        self.spikes, self._tapes = [], []
        rec = None
        for layer in self.layers:
            in_t, in_src, ids = _pad(sample, index, time, bsz)
            spikes, rec, tape = sim.forward(layer.compiled, layer.params["weight"].copy(),
                                            in_t, in_src, self.duration, self.dt, layer.x0)
            self.spikes.append(spikes)
            self._tapes.append((tape, ids))
            sample, index, time = spikes.sample, spikes.neuron, spikes.time
        last = self.layers[-1]
        if last.record is not None:
            return rec
        self._first = self._first_spikes(bsz, last.n_out)
        times = np.full((bsz, last.n_out), self.duration)
        valid = self._first >= 0
        times[valid] = self.spikes[-1].time[self._first[valid]]
        return -times[None]

    def _first_spikes(self, bsz: int, n: int) -> np.ndarray:
        """The id of each output neuron's first spike (-1: none), shape (B, n)."""
        s = self.spikes[-1]
        key = s.sample * n + s.neuron
        order = np.lexsort((s.time, key))
        neurons, at = np.unique(key[order], return_index=True)
        first = np.full(bsz * n, -1)
        first[neurons] = order[at]
        return first.reshape(bsz, n)

    def backward(self, grad: np.ndarray) -> None:
        """Fill ``grads`` from the loss's gradient with respect to the output."""
        if not self._tapes:
            raise ModelError("backward() needs a forward() first", where="backward")
        last = self.layers[-1]
        grad = np.asarray(grad, dtype=np.float64)
        dldt = np.zeros(self.spikes[-1].time.size)
        grad_rec = None
        if last.record is not None:
            grad_rec = grad
        else:
            valid = self._first >= 0
            dldt[self._first[valid]] = -grad[0][valid]      # the output is -t
        for k in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[k]
            tape, ids = self._tapes[k]
            gw, g_in = sim.backward(layer.compiled, tape, dldt, grad_rec, layer.n_in)
            layer.grads["weight"] = gw
            grad_rec = None
            if k:
                dldt = np.zeros(self.spikes[k - 1].time.size)
                dldt[ids[ids >= 0]] = g_in[ids >= 0]


def latency_cross_entropy(output, labels, *, tau0: float = 0.5, tau1: float = 6.4,
                          alpha: float = 3e-3) -> Tuple[float, np.ndarray]:
    """Wunderlich & Pehle's first-spike-time loss for an output of minus the first spike
    times (1, B, C) in ms: softmax cross-entropy of -t/tau0, plus
    alpha*(exp(t_label/tau1) - 1) pushing the label's neuron to fire early; the batch mean.
    Its gradient dL/dt at each first spike is the adjoint's source there (a silent neuron,
    given t = duration, passes none).  The defaults are ours, of the paper's order.

    >>> out = -np.array([[[2.0, 5.0]]])
    >>> value, grad = latency_cross_entropy(out, np.array([0]))
    >>> round(value, 4), grad.shape
    (0.0036, (1, 1, 2))
    """
    where = "latency_cross_entropy"
    out = check_output(output, where)
    lab = check_labels(labels, out, where)
    if out.shape[0] != 1:
        raise ModelError(f"the output must be minus the first spike times, shape (1, B, C); "
                         f"got {out.shape}", where=where, symbol="output")
    t = -out[0].astype(np.float64)
    value, gz = softmax_cross_entropy(-t / tau0, lab)
    rows = np.arange(t.shape[0])
    reg = np.exp(t[rows, lab] / tau1)
    value += alpha * float(np.mean(reg - 1.0))
    dldt = -gz / tau0
    dldt[rows, lab] += alpha * reg / (tau1 * t.shape[0])
    return value, (-dldt)[None].astype(out.dtype)


def latency_code(t_max: float, t_min: float = 0.0, bias: Optional[float] = None,
                 silent_below: Optional[float] = None) -> Callable:
    """An ``encode`` for fit: values x in [0, 1] as one spike each at
    t_min + (1 - x) (t_max - t_min) ms (large values early), none where x < silent_below;
    ``bias`` adds an input that always spikes at that time (the Yin-Yang task's bias
    spike), as the last input."""
    def encode(x: np.ndarray, steps: int = 0, rng=None) -> np.ndarray:
        flat = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
        times = t_min + (1.0 - np.clip(flat, 0.0, 1.0)) * (t_max - t_min)
        if silent_below is not None:
            times[flat < silent_below] = np.inf
        if bias is not None:
            times = np.concatenate([times, np.full((len(flat), 1), float(bias))], axis=1)
        return times
    return encode
