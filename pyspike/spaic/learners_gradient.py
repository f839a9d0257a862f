"""SPAIC's gradient learners on pyspike: ``Learner(trainable=net, algorithm="STCA")``
(and ``"STBP"``, ``"sbp"``) trains a network by back-propagation through time with a
surrogate gradient of the spike, as SPAIC does, on pyspike's generated kernels.

- ``STCA`` (Gu et al. 2019, SPAIC's STCA_Learner): the spike's gradient is 1 where
  ``|V - v_th| < alpha`` (pyspike's surrogate "rectangle"), ``alpha`` = 0.5;
- ``STBP`` (Wu et al. 2018, SPAIC's STBP_Learner): ``exp(-(V - v_th)^2/(2 alpha))/(2 pi
  alpha)`` ("gaussian"), ``alpha`` = 0.5;
- ``sbp`` (SPAIC's SurrogateBP): ``surrogate_func=`` one of SPAIC's surrogates, by its
  class name or its class (``AtanGrad``, the default; ``SigmoidGrad``, ``RectangleGrad``,
  ``GateGrad``, ``QGateGrad``, ``ReLUGrad``) or a pyspike surrogate name ("atan",
  "fast_sigmoid", "triangle", ...: codegen/surrogates.py); ``alpha`` = 2 whatever the
  surrogate, as SPAIC passes its own alpha to the class.

With one attached, ``Network.run`` runs the network as one torch graph
(:mod:`pyspike.spaic.gradient_graph`: one generated kernel per group for all steps) and
``Net.output.predict`` is a torch tensor with the graph behind it; a loss on it,
``loss.backward()``, ``learner.optim_step()`` trains.  The weights the learner trains
are torch Parameters on the connections' own arrays (``torch.from_numpy``: no copy), so
``con.weight``, ``save_state`` and a later build read the learned values; an array
replaced from outside (``con.weight = w``, ``state_from_dict``) is copied into its
Parameter (the optimiser keeps it) at the next run or step.  ``trainable`` (a
connection, a group, an assembly or the network, or a list of them) names what is
trained: its connections' weights (and conv biases), and the parameters each of its
groups names in ``parameter_variables`` (one value per group, written back into the
group's ``params`` after each step).  Every group back-propagates through its spikes
(SPAIC's only where the group is trainable).  ``set_optimizer(name, lr, **options)``
takes SPAIC's names of torch's optimisers, ``set_schedule(name, **options)`` its names
of torch's schedulers; ``optim_zero_grad()``, ``optim_step()`` (then ``w_min``/``w_max``
clip the weights) and ``optim_schedule()`` are SPAIC's.

Departures: SPAIC also trains clif's V0 (a parameter it clamps to [0, 1]); here V0
stays 1, its value after the clamp.  torch is needed (``pip install
"pyspike-sim[torch]"``); pyspike.spaic itself imports without it.

>>> import pyspike.spaic as spaic
>>> net = spaic.Network()
>>> learner = spaic.Learner(trainable=net, algorithm="sbp", surrogate_func="SigmoidGrad")
>>> learner.surrogate, learner.alpha
('sigmoid', 2.0)
>>> learner.set_optimizer("Adam", 0.001)
"""
from __future__ import annotations

import numbers
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..codegen.errors import ModelError
from ..codegen.surrogates import SURROGATES
from . import context
from .learners import Learner, register_gradient_learner

#: algorithm -> (surrogate, default alpha)
GRADIENT = {"stca": ("rectangle", 0.5), "stbp": ("gaussian", 0.5), "sbp": ("atan", 2.0)}
#: SPAIC's surrogate classes (spaic.Learning.surrogate), lower-cased -> pyspike's
SPAIC_SURROGATES = {"atangrad": "atan", "sigmoidgrad": "sigmoid",
                    "rectanglegrad": "rectangle", "gategrad": "gate", "qgategrad": "qgate",
                    "relugrad": "relu", "straight_through_estimator": "straight_through"}
#: SPAIC's names of torch's optimisers (its 'Rpop' is Rprop) and schedulers
OPTIMIZERS = {"Adam": "Adam", "AdamW": "AdamW", "SparseAdam": "SparseAdam",
              "Adamax": "Adamax", "ASGD": "ASGD", "LBFGS": "LBFGS", "RMSprop": "RMSprop",
              "Rpop": "Rprop", "Rprop": "Rprop", "SGD": "SGD", "Adadelta": "Adadelta",
              "Adagrad": "Adagrad"}
SCHEDULES = ("LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
             "ReduceLROnPlateau", "CyclicLR", "CosineAnnealingWarmRestarts")


def surrogate_name(given) -> str:
    """pyspike's surrogate for SPAIC's ``surrogate_func`` (a class, an instance or a
    name)."""
    name = given if isinstance(given, str) else getattr(given, "__name__",
                                                        type(given).__name__)
    key = str(name).lower()
    key = SPAIC_SURROGATES.get(key, key)
    if key not in SURROGATES:
        raise ModelError(f"surrogate_func {name!r} is not one of SPAIC's surrogates "
                         f"({', '.join(sorted(SPAIC_SURROGATES))}) nor pyspike's "
                         f"({', '.join(sorted(SURROGATES))})", where="Learner",
                         symbol=str(name))
    return key


def _refuse(message: str, symbol) -> ModelError:
    return ModelError(message, where="Learner", symbol=str(symbol))


class GradientLearner(Learner):
    """SPAIC's STCA, STBP and SBP learners (see the module's doc); made by
    ``Learner(algorithm=...)``."""

    gradient_based = True

    def __init__(self, trainable=None, algorithm: str = "STCA", pathway=None,
                 name: Optional[str] = None, reward=None, **kwargs):
        key = str(algorithm).lower()
        try:
            import torch  # noqa: F401
        except ImportError:
            raise _refuse(f"the learner {algorithm!r} trains with torch, which is not "
                          "installed: pip install \"pyspike-sim[torch]\"", algorithm) from None
        surrogate, alpha = GRADIENT[key]
        for option in kwargs:
            if option not in ("alpha", "surrogate_func"):
                raise _refuse(f"the learner {algorithm!r} takes alpha"
                              + (" and surrogate_func" if key == "sbp" else "")
                              + f", not {option!r}", option)
        if "surrogate_func" in kwargs:
            if key != "sbp":
                raise _refuse(f"surrogate_func belongs to algorithm 'sbp'; {algorithm!r} "
                              f"uses its own ({surrogate})", "surrogate_func")
            surrogate = surrogate_name(kwargs["surrogate_func"])
        alpha = kwargs.get("alpha", alpha)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha > 0:
            raise _refuse(f"alpha is a number > 0, not {alpha!r}", "alpha")
        if reward is not None:
            raise _refuse(f"the learner {algorithm!r} takes no reward (its loss is yours)",
                          "reward")
        self.algorithm, self.surrogate, self.alpha = key, surrogate, float(alpha)
        self.params = {"alpha": self.alpha}
        self.trainable, self.pathway, self.name = trainable, pathway, name
        self.rule, self.reward_node, self.reward, self.param_run_update = None, None, None, False
        self.optim_name = self.lr_schedule_name = None
        self._optim_spec: Optional[Tuple[str, float, dict]] = None
        self._schedule_spec: Optional[Tuple[str, dict]] = None
        self._optim = self._schedule = None
        self._optim_params: List[int] = []
        self._tensors: Dict[Tuple[int, str], tuple] = {}     # (obj, its tensor, trained)
        self._group_params: Dict[Tuple[int, str], tuple] = {}  # (group, name, Parameter)
        self._graph = None
        context.register(self)

    # -- what is trained --------------------------------------------------------------
    def _items(self) -> list:
        items = self.trainable if isinstance(self.trainable, (list, tuple)) \
            else [self.trainable]
        for item in items:
            if getattr(type(item), "member_table", None) not in ("_connections", "_groups",
                                                                  "_projections"):
                raise _refuse(f"trainable must be a Connection, a NeuronGroup, an assembly "
                              f"or a list of them, not {type(item).__name__}", "trainable")
        return items

    def trained_connections(self) -> list:
        """The connections whose weights this learner trains."""
        out = []
        for item in self._items():
            kind = type(item).member_table
            out.extend([item] if kind == "_connections" else item.connections()
                       if kind == "_projections" else item.all_connections())
        return list({id(c): c for c in out}.values())

    def connections(self) -> list:
        return self.trained_connections()

    def trains(self, con) -> bool:
        """Does this learner train ``con``'s weights?  (SPAIC's ``is_parameter`` False, a
        pool link's fixed average: no.)"""
        return con.link_type != "pool" and bool(getattr(con, "is_parameter", True)) and \
            any(c is con for c in self.trained_connections())

    def trained_groups(self) -> list:
        """The neuron groups whose ``parameter_variables`` this learner trains."""
        from .neurons import NeuronGroup
        out = [g for item in self._items() if type(item).member_table == "_groups"
               for g in item.groups() if isinstance(g, NeuronGroup)]
        return list({id(g): g for g in out}.values())

    def tensor(self, obj, attr: str, trained: bool):
        """The torch tensor on ``obj``'s array ``attr`` (a connection's ``_weight``, a conv
        link's ``bias``), the same memory: a Parameter where ``trained``.  An array replaced
        since is copied into the tensor, and the tensor's memory put back in its place."""
        import torch
        array = getattr(obj, attr)
        held = self._tensors.get((id(obj), attr))
        if held is None or held[0] is not obj or held[2] != trained:
            array = np.ascontiguousarray(array, dtype=np.float64)
            if not array.flags.writeable:
                array = array.copy()
            setattr(obj, attr, array)
            t = torch.from_numpy(array)
            t = torch.nn.Parameter(t, requires_grad=True) if trained else t
            self._tensors[(id(obj), attr)] = (obj, t, trained)
            return t
        t = held[1]
        view = t.detach().numpy()
        if array is not view and not (isinstance(array, np.ndarray) and array.shape == view.shape
                                      and array.ctypes.data == view.ctypes.data):
            with torch.no_grad():
                t.copy_(torch.from_numpy(np.asarray(array, dtype=np.float64)).reshape(t.shape))
            setattr(obj, attr, view)
        return t

    def group_parameter(self, group, name: str):
        """The Parameter of a group's trained parameter ``name`` (float64, one per group)."""
        import torch
        held = self._group_params.get((id(group), name))
        if held is None or held[0] is not group:
            value = group.params.get(name, group.model.params.get(name))
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ModelError(f"the parameter {name!r} of '{group.name}' is {value!r}: a "
                                 "trained parameter is a number", where="NeuronGroup",
                                 symbol=name)
            p = torch.nn.Parameter(torch.tensor(float(value), dtype=torch.float64))
            held = self._group_params[(id(group), name)] = (group, name, p)
        return held[2]

    def parameters(self) -> list:
        """Every Parameter this learner trains, in a fixed order (its optimiser's)."""
        out = []
        for con in self.trained_connections():
            if not self.trains(con):
                continue
            out.append(self.tensor(con, "_weight", True))
            if getattr(con, "bias", None) is not None:
                out.append(self.tensor(con, "bias", True))
        for g in self.trained_groups():
            out.extend(self.group_parameter(g, n) for n in g.parameter_variables)
        return out

    # -- runs (Network.build and Network.run call these) ---------------------------------
    def prepare(self, net):
        """The network's torch graph (made again when the network changed); a compiled
        network built before leaves its weights in the connections."""
        from .gradient_graph import Graph
        key = (net.dt, net.backend.precision, net.backend.name)
        if self._graph is None or net.changed or self._graph.key != key:
            net.release_compiled()
            self._graph = Graph(net, self)
        return self._graph

    def run_network(self, net, steps: int, new_run: bool = True) -> None:
        """One run of ``net`` as its torch graph: the decoders' predict become tensors."""
        if not new_run:
            raise ModelError("run_continue is not built for a network trained by a gradient "
                             "learner: each run starts from the initial state (run it "
                             "whole with run())", where="Network.run_continue",
                             symbol=self.algorithm)
        self.prepare(net).run(steps, net.batch_size())

    def make(self, ps, lowered) -> None:
        raise _refuse("internal: a network with a gradient learner was compiled; it runs "
                      "as a torch graph (Network.run)", self.algorithm)

    # -- SPAIC's optimiser interface --------------------------------------------------
    def set_optimizer(self, optim_name: str, optim_lr: float, **kwargs) -> None:
        """The optimiser, by SPAIC's name of a torch optimiser ('Adam', 'SGD', 'AdamW',
        ...), its learning rate and options (made at its first use)."""
        if optim_name not in OPTIMIZERS:
            raise _refuse(f"unknown optimiser {optim_name!r}: choose one of "
                          f"{', '.join(OPTIMIZERS)}", optim_name)
        self.optim_name, self.optim_lr, self.optim_para = optim_name, float(optim_lr), kwargs
        self._optim_spec = (OPTIMIZERS[optim_name], float(optim_lr), dict(kwargs))
        self._optim = self._schedule = None

    def set_schedule(self, lr_schedule_name: str, **kwargs) -> None:
        """The learning-rate schedule, by SPAIC's name of a torch scheduler ('StepLR',
        'ExponentialLR', ...) and its options; ``optim_schedule()`` steps it."""
        if lr_schedule_name not in SCHEDULES:
            raise _refuse(f"unknown schedule {lr_schedule_name!r}: choose one of "
                          f"{', '.join(SCHEDULES)}", lr_schedule_name)
        self.lr_schedule_name, self.lr_schedule_para = lr_schedule_name, kwargs
        self._schedule_spec = (lr_schedule_name, dict(kwargs))
        self._schedule = None
        self._make_schedule()

    @property
    def optim(self):
        """The torch optimiser (None before set_optimizer); made again when the trained
        parameters change (a connection added to the network, say)."""
        if self._optim_spec is None:
            return None
        import torch
        params = self.parameters()
        if self._optim is None or [id(p) for p in params] != self._optim_params:
            name, lr, options = self._optim_spec
            self._optim = getattr(torch.optim, name)(params, lr, **options)
            self._optim_params, self._schedule = [id(p) for p in params], None
            self._make_schedule()
        return self._optim

    def _make_schedule(self) -> None:
        """The scheduler, made with its optimiser (torch expects it before the steps)."""
        if self._schedule_spec is not None and self._optim is not None:
            import torch
            name, options = self._schedule_spec
            self._schedule = getattr(torch.optim.lr_scheduler, name)(self._optim, **options)

    @property
    def schedule(self):
        """The torch scheduler of ``optim`` (None before set_schedule)."""
        if self.optim is not None and self._schedule is None:
            self._make_schedule()
        return self._schedule

    def _need(self, what: str, call: str):
        got = getattr(self, what)
        if got is None:
            setter = ("set_optimizer('Adam', 0.001)" if what == "optim"
                      else "set_schedule('StepLR', step_size=10)")
            raise _refuse(f"{call} needs {'an optimiser' if what == 'optim' else 'a schedule'}:"
                          f" call learner.{setter} first", call)
        return got

    def optim_zero_grad(self) -> None:
        """Set the trained parameters' gradients to zero (SPAIC's ``optim_zero_grad``)."""
        self._need("optim", "optim_zero_grad").zero_grad()

    def optim_step(self, *closure) -> None:
        """One step of the optimiser on the gradients (SPAIC's ``optim_step``); then the
        weights are clipped to the connections' w_min/w_max and the trained neuron
        parameters written into their groups' ``params``."""
        import torch
        optim = self._need("optim", "optim_step")
        for con in self.trained_connections():        # (arrays replaced since the run)
            for attr in ("_weight", "bias"):
                if (id(con), attr) in self._tensors:
                    self.tensor(con, attr, self._tensors[(id(con), attr)][2])
        optim.step(*closure)
        with torch.no_grad():
            for con in self.trained_connections():
                held = self._tensors.get((id(con), "_weight"))
                if held is not None and (con.w_min is not None or con.w_max is not None):
                    held[1].clamp_(con.w_min, con.w_max)
        for group, name, p in self._group_params.values():
            group.params[name] = float(p.detach())

    def optim_schedule(self, *args) -> None:
        """One step of the schedule (SPAIC's ``optim_schedule``; ReduceLROnPlateau takes
        the metric)."""
        self._need("schedule", "optim_schedule").step(*args)


register_gradient_learner(GradientLearner)
