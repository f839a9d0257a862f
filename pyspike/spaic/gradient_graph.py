"""A SPAIC network as one torch graph, the way the gradient learners (STCA, STBP, SBP:
learners_gradient.py) run it.

Each NeuronGroup runs all T steps of a run in one generated forward kernel, and its
gradient in one generated backward kernel: pyspike.torch's ``NeuronFunction`` over
pyspike.train's ``NeuronKernels`` for the group's model as pyspike.spaic builds it
(its parameters; clif's V0 clamped to [0, 1], as SPAIC 0.6.3 runs it), with the
learner's surrogate gradient of the spike.  Each connection is one torch operation on
the spikes of all steps: a matrix product for ``full`` links (and for the links kept as a
(post, pre) matrix, ``one_to_one``, ``sparse``, ``random``, ``dist_depd``: masked to
their synapses), ``conv2d`` then the pooling for ``conv`` links, the pooling for
``pool`` links, and the kernel's recurrent weights for a group's link to itself.  As in
SPAIC (build strategy 0), spikes reach the target in the step after them: the input of
step t is the product with the source's spikes of step t - 1, none in step 0 (a conv
link's bias is added in every step).  Currents from 'constant_current' or 'float'
encoders arrive a step later too, as in SPAIC (pyspike.spaic's compiled runs give them
in their own step).

The groups run in the order their connections give (a feed-forward graph; links that
skip groups are summed with the others); a cycle through several groups is refused, as
are members the graph cannot hold (monitors, rewards, delays, synapse types other than
'basic', clamped variables, variables kept from run to run), each by a ModelError
naming it.  A network with a gradient learner runs as
this graph and nothing else: ``Network.run`` starts every group from its initial state
(``run_continue`` is refused), and the connections' weights are the tensors the learner
binds to their arrays (learners_gradient.GradientLearner.tensor).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from ..codegen.equations import symbol
from ..codegen.errors import ModelError
from ..torch import NeuronFunction
from ..train.kernels import NeuronKernels
from . import gradient_decoders
from .neurons import NeuronGroup
from .nodes import Encoder, Generator
from .outputs import Decoder
from .synapse_types import effective

#: SPAIC models whose reset is SPAIC's ``reset`` op, ``o.eq(0)*v``: no gradient reaches
#: the spike through it (the kernels' detach_reset); the others (clif, aclif: E gains
#: v_th*O) differentiate the reset as written
DETACHED_RESET = frozenset({"lif", "if", "plif"})
#: the links kept as one (post, pre) matrix
DENSE = ("full", "one_to_one", "sparse", "random", "dist_depd", "null")
_DTYPES = {"single": (torch.float32, "float32"), "double": (torch.float64, "float64")}
_NO_POOL = ((1, 1), (1, 1), (0, 0), (1, 1))


def _refuse(message: str, symbol, where: str = "Learner") -> ModelError:
    return ModelError(message, where=where, symbol=str(symbol))


class _Link:
    """One connection as a torch operation on its source's record."""

    def __init__(self, con, learner, trained: bool):
        self.con, self.learner, self.trained = con, learner, trained
        self.stages = getattr(con, "stages", None)        # a conv or pool link
        self.mask = None
        if self.stages is None and con.link_type != "full":
            self.mask = torch.from_numpy(np.asarray(con.mask, dtype=np.float64))

    def weight(self, dtype: torch.dtype) -> torch.Tensor:
        w = self.learner.tensor(self.con, "_weight", self.trained).to(dtype)
        return w if self.mask is None else w * self.mask.to(dtype)

    def apply(self, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """What the target's Isyn gets from the source's values ``x`` (T', B, N_pre):
        (T', B, N_post)."""
        if self.stages is None:
            return F.linear(x, self.weight(dtype))
        steps, batch = x.shape[:2]
        frames = x.reshape(steps * batch, *self.con.pre.shape)
        conv, pool = self.stages
        if self.con.link_type == "conv":
            frames = F.conv2d(frames, self.weight(dtype), stride=conv.stride,
                              padding=conv.padding, dilation=conv.dilation)
        if tuple(pool) != _NO_POOL:       # (SPAIC's pool links average, as conv.py)
            pooling = F.max_pool2d if getattr(self.con, "pool_max", False) else F.avg_pool2d
            frames = pooling(frames, pool.kernel, pool.stride, pool.padding)
        return frames.reshape(steps, batch, -1)

    def bias(self, dtype: torch.dtype) -> Optional[torch.Tensor]:
        """A conv link's bias per target neuron (added in every step), or None."""
        if getattr(self.con, "bias", None) is None:
            return None
        b = self.learner.tensor(self.con, "bias", self.trained).to(dtype)
        return b.repeat_interleave(self.con.post.num // b.numel())


class _Layer:
    """A NeuronGroup's kernels (spikes, and the variables decoders read) and links."""

    def __init__(self, group, learner, trained: bool, dt: float, dtype: str, backend: str):
        self.group, self.links, self.recurrent = group, [], None
        self.params = tuple(group.parameter_variables) if trained else ()
        self.options = dict(model=group.model, input="Isyn", surrogate=learner.surrogate,
                            alpha=learner.alpha, params=dict(group.params),
                            trainable=self.params, dt=dt, dtype=dtype, backend=backend,
                            detach_reset=group.model_name in DETACHED_RESET)
        self.kernels: Dict[str, NeuronKernels] = {}
        self.outputs: List[str] = ["O"]

    def build(self) -> None:
        for var in self.outputs:
            try:
                self.kernels[var] = NeuronKernels(**self.options, recurrent=self.recurrent
                                                  is not None,
                                                  output=None if var == "O" else var)
            except ModelError as err:
                raise _refuse(f"the group '{self.group.name}' (model "
                              f"{self.group.model_name!r}) cannot run in a gradient learner's "
                              f"graph: {err}", self.group.name) from None
        self.resets = {var: self._reset_of(var) for var in self.outputs if var != "O"}

    def _reset_of(self, var: str):
        """How a spike changes ``var`` (the kernels emit it before the reset; SPAIC
        records it after): None, ("add", d) for var += d, ("set", r) for var = r, with d
        and r numbers (the model's parameters put in)."""
        kernels = self.kernels[var]
        step = kernels.kernel.step
        value = dict(step.reset).get(var)
        if value is None:
            return None
        states = {s for s in value.free_symbols if str(s) in step.states}
        numbers = {s: kernels.values[str(s)] for s in value.free_symbols
                   if str(s) in kernels.values}
        delta = (value - symbol(var)).xreplace(numbers)
        if delta.is_number:
            return "add", float(delta)
        if not states and value.xreplace(numbers).is_number:
            return "set", float(value.xreplace(numbers))
        raise _refuse(f"the decoder of '{self.group.name}' reads {var!r}, which the model's "
                      "reset sets from its own value: the gradient learners decode "
                      "variables a spike sets to a value or moves by one", var, "Decoder")

    def after_reset(self, var: str, h: torch.Tensor, spikes: torch.Tensor) -> torch.Tensor:
        """``var`` after each step's reset, from its value before it and the spikes (no
        gradient through the spike where the model's reset passes none, as SPAIC's)."""
        reset = self.resets.get(var)
        if reset is None:
            return h
        s = spikes.detach() if self.options["detach_reset"] else spikes
        kind, number = reset
        return h + s * number if kind == "add" else h * (1 - s) + s * number


class Graph:
    """The torch graph of ``net`` for ``learner`` (see the module's doc)."""

    def __init__(self, net, learner):
        backend = net.backend
        if backend.name == "cuda":
            raise _refuse("the gradient learners run their kernels on CPU tensors here: "
                          "build with backend 'cpu' (or 'numpy')", "cuda", "Network.build")
        self.key = (net.dt, backend.precision, backend.name)
        self.dt, self.learner = net.dt, learner
        self.dtype, dtype_name = _DTYPES[backend.precision]
        self.np_dtype = np.dtype(dtype_name)
        self.rng = np.random.default_rng(net.seed)         # the Poisson encoders' draws
        _refuse_members(net, learner)
        members = list(net.groups())
        self.encoders = [m for m in members if isinstance(m, Encoder)]
        self.decoders = [m for m in members if isinstance(m, Decoder)]
        groups, trained_groups = [m for m in members if isinstance(m, NeuronGroup)], \
            {id(g) for g in learner.trained_groups()}
        for m in members:
            if not isinstance(m, (Encoder, NeuronGroup, Decoder)) or isinstance(m, Generator):
                raise _refuse(f"the {type(m).__name__} '{m.name}' cannot run in a network "
                              "trained by a gradient learner (one torch graph of encoders, "
                              "neuron groups, connections and decoders)", m.name)
        for g in groups:
            _check_group(g)
        kernel_backend = "numpy" if backend.name == "numpy" else "cpu"
        layers = {id(g): _Layer(g, learner, id(g) in trained_groups, net.dt, dtype_name,
                                kernel_backend) for g in groups}
        sources = {id(m) for m in self.encoders} | set(layers)
        for con in net.shown_connections():
            _check_link(con, sources, layers)
            link = _Link(con, learner, learner.trains(con))
            layer = layers[id(con.post)]
            if con.pre is con.post:
                if layer.recurrent is not None:
                    raise _refuse(f"the group '{con.post.name}' has two connections to "
                                  f"itself ('{layer.recurrent.con.name}', '{con.name}'); "
                                  "the gradient learners run one", con.name, "Connection")
                layer.recurrent = link
            else:
                layer.links.append(link)
        for dec in self.decoders:
            gradient_decoders.check(dec)
            layer = layers.get(id(dec.dec_target))
            if layer is None:
                raise _refuse(f"the decoder '{dec.name}' reads '{dec.dec_target.name}', which "
                              "is no neuron group of the network", dec.name, "Decoder")
            var = gradient_decoders.variable(dec)
            if var not in layer.outputs:
                layer.outputs.append(var)
        self.layers = _in_order([layers[id(g)] for g in groups])
        for layer in self.layers:
            layer.build()

    # -- a run ------------------------------------------------------------------------
    def run(self, steps: int, batch: int) -> None:
        """Run ``steps`` steps from the initial state and set every decoder's predict."""
        records: Dict[Tuple[int, str], torch.Tensor] = {}
        for enc in self.encoders:
            records[(id(enc), "O")] = self._input(enc, steps)
        for layer in self.layers:
            current = self._current(layer, records, steps, batch)
            trained = [self.learner.group_parameter(layer.group, name).to(self.dtype)
                       for name in layer.kernels["O"].trainable]
            wrec = None if layer.recurrent is None else \
                layer.recurrent.weight(self.dtype).t()        # (from, to): SPAIC's (post, pre)
            spikes = None
            for var, kernels in layer.kernels.items():
                out = NeuronFunction.apply(current, kernels, wrec, *trained)
                spikes = out if var == "O" else spikes
                records[(id(layer.group), var)] = out if var == "O" else \
                    layer.after_reset(var, out, spikes)
        for dec in self.decoders:
            record = records[(id(dec.dec_target), gradient_decoders.variable(dec))]
            object.__setattr__(dec, "predict", gradient_decoders.decode(dec, record, self.dt))

    def _current(self, layer: _Layer, records, steps: int, batch: int) -> torch.Tensor:
        """The group's input of every step, (T, B, N): the sources' values of the step
        before through each link, and the links' biases."""
        total = None
        for link in layer.links:
            part = link.apply(records[(id(link.con.pre), "O")][:-1], self.dtype)
            total = part if total is None else total + part
        if total is None:
            current = torch.zeros((steps, batch, layer.group.num), dtype=self.dtype)
        else:
            current = F.pad(total, (0, 0, 0, 0, 1, 0))     # nothing arrives in step 0
        for link in layer.links:
            bias = link.bias(self.dtype)
            if bias is not None:
                current = current + bias
        return current

    def _input(self, enc, steps: int) -> torch.Tensor:
        """The encoder's spikes (or current) of every step, (T, B, N), by the definitions
        of coding.py; a Poisson encoder draws from the graph's generator, seeded by the
        network's seed."""
        if enc.data is None:
            raise _refuse(f"the encoder '{enc.name}' has no data: call Net.input(data) (or "
                          "the encoder itself) before running", enc.name, "Encoder")
        if enc.random:
            draws = self.rng.random((enc.batch, steps, enc.num))
            train = enc.function(enc.data, steps, self.dt, draws, **enc.options)
        else:
            train = enc.function(enc.data, steps, self.dt, **enc.options)
        train = np.asarray(train).reshape(enc.batch, steps, enc.num)
        return torch.from_numpy(np.ascontiguousarray(train.transpose(1, 0, 2),
                                                     dtype=self.np_dtype))


def _refuse_members(net, learner) -> None:
    """Monitors, other learners and local rules have no place in the graph."""
    for mon in net.all_members("_monitors"):
        raise _refuse(f"the {type(mon).__name__} '{mon.name or mon.var_name}' of "
                      f"'{getattr(mon.target, 'name', mon.target)}' is not recorded in a "
                      "network trained by a gradient learner (it runs as one torch graph): "
                      "read a Decoder's predict, or the connections' weight, instead",
                      mon.name or mon.var_name, type(mon).__name__)
    for other in net.all_members("_learners"):
        if other is not learner:
            raise _refuse(f"the network has the gradient learner '{learner.algorithm}' and "
                          f"the learner '{other.algorithm}': a network trained by a gradient "
                          "learner has no other learner", other.algorithm)


def _check_group(g) -> None:
    """Refuse what a group's kernels do not hold: clamps, variables kept across runs."""
    if g.variable_ranges:
        raise _refuse(f"the group '{g.name}' clamps {', '.join(g.variable_ranges)} after "
                      "every step (variable_ranges), which the gradient learners' kernels "
                      "do not", g.name, "NeuronGroup")
    if g.stay:
        raise _refuse(f"the group '{g.name}' ({g.model_name}) keeps {', '.join(g.stay)} "
                      "from run to run, as SPAIC does; a gradient learner's run starts "
                      "every variable from its initial value", g.name, "NeuronGroup")


def _check_link(con, sources, layers) -> None:
    """Refuse a connection the graph cannot run, naming it."""
    name = con.name
    if id(con.pre) not in sources or id(con.post) not in layers:
        end = con.pre if id(con.pre) not in sources else con.post
        raise _refuse(f"the connection '{name}' joins '{end.name}' ({type(end).__name__}); "
                      "in a network trained by a gradient learner, connections run from "
                      "encoders or neuron groups to neuron groups", name, "Connection")
    if con.max_delay > 0:
        raise _refuse(f"the connection '{name}' has delays (max_delay {con.max_delay} ms), "
                      "which the gradient learners do not run", name, "Connection")
    is_conv = getattr(con, "stages", None) is not None
    if not is_conv and (con.link_type not in DENSE or effective(con.syn_type) != ["basic"]):
        raise _refuse(f"the connection '{name}' ({con.link_type}, syn_type {con.syn_type}): "
                      "the gradient learners run links of syn_type 'basic' (full, "
                      "one_to_one, sparse, random, dist_depd) and conv and pool links",
                      name, "Connection")
    if is_conv and con.pre is con.post:
        raise _refuse(f"the {con.link_type} link '{name}' joins '{con.pre.name}' to itself",
                      name, "Connection")
    if con.pre_var_name != "O" or con.post_var_name != "Isyn":
        raise _refuse(f"the connection '{name}' carries {con.pre_var_name!r} into "
                      f"{con.post_var_name!r}; the gradient learners run links from the "
                      "source's output 'O' into the target's 'Isyn'", name, "Connection")


def _in_order(layers: List[_Layer]) -> List[_Layer]:
    """The layers in an order where each comes after the groups it reads (declared order
    where free); a cycle through several groups is refused, naming one of its links."""
    done: set = set()
    order: List[_Layer] = []
    left = list(layers)
    while left:
        ready = [lay for lay in left
                 if all(id(link.con.pre) in done or not isinstance(link.con.pre, NeuronGroup)
                        for link in lay.links)]
        if not ready:
            loop = next(link.con for lay in left for link in lay.links
                        if isinstance(link.con.pre, NeuronGroup) and id(link.con.pre) not in done)
            raise _refuse(f"the connection '{loop.name}' closes a loop through the groups "
                          f"{', '.join(repr(lay.group.name) for lay in left)}: the gradient "
                          "learners run feed-forward networks (a group's link to itself "
                          "excepted)", loop.name, "Connection")
        for lay in ready:
            order.append(lay)
            done.add(id(lay.group))
        left = [lay for lay in left if id(lay.group) not in done]
    return order
