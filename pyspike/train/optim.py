"""Optimisers and learning-rate schedules in NumPy, with torch.optim's update formulas.

An optimiser is attached to a dict of named parameter arrays, which its ``step`` updates
in place from a dict of gradients with the same names:

>>> w, b = np.ones((2, 3)), np.zeros(3)
>>> opt = Adam(1e-3); opt.attach({"w": w, "b": b})
>>> opt.step({"w": np.ones((2, 3)), "b": -np.ones(3)}); b.round(6).tolist()   # in place
[0.001, 0.001, 0.001]

The state (moments, momentum buffers) is kept in each parameter's dtype, as torch keeps
it; the step reuses buffers allocated at ``attach`` (``out=`` and in-place operations),
so a training loop allocates nothing per step.  Results equal torch's up to rounding
(torch fuses some multiply-adds).  A name missing from the gradients is skipped and its
step count does not advance, as torch skips a parameter whose ``.grad`` is None.
``state_dict()`` holds only plain scalars, strings and NumPy arrays (copies), ready for
``np.savez``; ``load_state_dict`` refuses one made for other parameters.  Schedules set
``optimizer.lr`` with torch.optim.lr_scheduler's recurrences.
"""
from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Tuple

import numpy as np

from ..codegen.errors import ModelError

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "LRScheduler", "StepLR", "ExponentialLR",
           "CosineAnnealingLR"]


def _check(ok: bool, where: str, symbol: str, value: Any, expected: str) -> None:
    if not ok:
        raise ModelError(f"{symbol} must be {expected}; got {value!r}", where=where,
                         symbol=symbol)


def _plain(state: Mapping[str, Any]) -> Dict[str, Any]:
    """``state`` with 0-d arrays (as ``np.load`` gives scalars back) as Python scalars."""
    return {k: v.item() if isinstance(v, np.ndarray) and v.ndim == 0 else v
            for k, v in state.items()}


class Optimizer:
    """What SGD, Adam and AdamW share: parameters, gradient checks, step counts, the state
    dict.  A subclass names its hyperparameters (``_hyper``), its per-parameter state
    arrays (``_slots()``) and writes one parameter's update (``_update``).

    >>> isinstance(AdamW(), Optimizer)
    True
    """

    _hyper: Tuple[str, ...] = ("lr",)

    def __init__(self, lr: float):
        _check(isinstance(lr, (int, float)) and lr >= 0, type(self).__name__, "lr", lr,
               "a number >= 0")
        self.lr = float(lr)
        self.attach({})          # sets the per-parameter dicts (empty: nothing attached)

    def _slots(self) -> Tuple[str, ...]:
        return ()

    def _update(self, p: np.ndarray, g: np.ndarray, state: Dict[str, np.ndarray],
                scratch: Tuple[np.ndarray, np.ndarray], k: int) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{h}={getattr(self, h)!r}" for h in self._hyper)
        return f"{type(self).__name__}({args})"

    def attach(self, params: Mapping[str, np.ndarray]) -> None:
        """Take ``params`` (name -> float array, updated in place from now on) and start
        each one's state afresh (zeros, step 0)."""
        where = f"{type(self).__name__}.attach"
        found: Dict[str, np.ndarray] = {}
        for name, p in dict(params).items():
            if not (isinstance(p, np.ndarray) and np.issubdtype(p.dtype, np.floating)
                    and p.flags.writeable):
                raise ModelError(f"parameter {name!r} must be a writeable NumPy array of "
                                 f"floats (it is updated in place); got {type(p).__name__}"
                                 f"{' of ' + str(p.dtype) if hasattr(p, 'dtype') else ''}",
                                 where=where, symbol=name)
            found[name] = p
        self._params = found
        self._state: Dict[str, Dict[str, np.ndarray]] = {
            n: {s: np.zeros_like(p) for s in self._slots()} for n, p in found.items()}
        self._scratch = {n: (np.empty_like(p), np.empty_like(p)) for n, p in found.items()}
        self._steps = {n: 0 for n in found}

    def _attached(self, where: str) -> None:
        if not self._params:
            raise ModelError("no parameters attached: call attach(params) first", where=where,
                             symbol="params")

    def step(self, grads: Mapping[str, np.ndarray]) -> None:
        """Update the attached parameters in place from ``grads`` (name -> array of the
        parameter's shape).  Every gradient is checked before any parameter changes."""
        where = f"{type(self).__name__}.step"
        self._attached(where)
        checked = []
        for name, g in grads.items():
            if name not in self._params:
                raise ModelError(f"gradient for {name!r}, which is not an attached parameter "
                                 f"(those are {', '.join(map(repr, self._params))})",
                                 where=where, symbol=name)
            g = np.asarray(g)
            p = self._params[name]
            if g.shape != p.shape or not np.issubdtype(g.dtype, np.number):
                raise ModelError(f"the gradient of {name!r} must be numbers of the "
                                 f"parameter's shape {p.shape}; got shape {g.shape}, dtype "
                                 f"{g.dtype}", where=where, symbol=name)
            checked.append((name, p, g))
        for name, p, g in checked:
            scratch = self._scratch[name]
            if g.dtype != p.dtype:
                np.copyto(scratch[0], g, casting="unsafe")
                g = scratch[0]
            self._steps[name] += 1
            self._update(p, g, self._state[name], scratch, self._steps[name])

    def state_dict(self) -> Dict[str, Any]:
        """A flat dict of copies: ``optimizer`` (the class name), the hyperparameters,
        and per parameter ``step/<name>`` and ``<slot>/<name>`` arrays.

        >>> opt = SGD(0.1, momentum=0.9); opt.attach({"w": np.zeros(2)})
        >>> sorted(k for k in opt.state_dict() if "/" in k)
        ['momentum_buffer/w', 'step/w']
        """
        out: Dict[str, Any] = {"optimizer": type(self).__name__}
        out.update({h: getattr(self, h) for h in self._hyper})
        for name in self._params:
            out[f"step/{name}"] = self._steps[name]
            for slot, arr in self._state[name].items():
                out[f"{slot}/{name}"] = arr.copy()
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the hyperparameters, step counts and state arrays of
        :meth:`state_dict` for the attached parameters (cast to their dtypes).  A state
        of another optimiser, or for other parameter names or shapes, is refused whole.

        >>> w = np.zeros(2); opt = Adam(0.1); opt.attach({"w": w})
        >>> opt.step({"w": np.ones(2)}); saved = opt.state_dict()
        >>> fresh = Adam(0.1); fresh.attach({"w": w.copy()}); fresh.load_state_dict(saved)
        >>> fresh.state_dict()["step/w"], fresh.state_dict()["exp_avg/w"].round(9).tolist()
        (1, [0.1, 0.1])
        """
        cls = type(self).__name__
        where = f"{cls}.load_state_dict"
        self._attached(where)
        state = _plain(state)
        _check(state.get("optimizer") == cls, where, "optimizer", state.get("optimizer"),
               f"{cls!r} (a state dict of another optimiser)")
        missing = [h for h in self._hyper if h not in state]
        _check(not missing, where, "state", missing, "a state dict with the hyperparameters")
        template = type(self)(**{h: state[h] for h in self._hyper})   # checks their values
        slots = template._slots()
        expected = {f"{s}/{n}" for n in self._params for s in ("step",) + slots}
        found = {k for k in state if "/" in k}
        if expected != found:
            lacking, extra = sorted(expected - found), sorted(found - expected)
            raise ModelError(f"the state dict does not fit the attached parameters "
                             f"{list(self._params)}: lacking {lacking}, not expected {extra}",
                             where=where, symbol="state")
        for name, p in self._params.items():
            step = state[f"step/{name}"]
            _check(isinstance(step, (int, np.integer)) and step >= 0, where, f"step/{name}",
                   step, "a whole number of steps >= 0")
            for slot in slots:
                arr = np.asarray(state[f"{slot}/{name}"])
                if arr.shape != p.shape:
                    raise ModelError(f"{slot}/{name} has shape {arr.shape}; the parameter "
                                     f"{name!r} has shape {p.shape}", where=where, symbol=name)
        for h in self._hyper:
            setattr(self, h, getattr(template, h))
        self._steps = {n: int(state[f"step/{n}"]) for n in self._params}
        self._state = {n: {s: np.asarray(state[f"{s}/{n}"]).astype(p.dtype)
                           for s in slots} for n, p in self._params.items()}


class SGD(Optimizer):
    """Stochastic gradient descent as torch.optim.SGD: g += weight_decay*p; with
    momentum, buf = g at the first step and buf = momentum*buf + (1 - dampening)*g after;
    g = buf, or g + momentum*buf with ``nesterov``; p -= lr*g.

    >>> w = np.array([1.0, -2.0]); opt = SGD(0.1, momentum=0.9); opt.attach({"w": w})
    >>> opt.step({"w": np.array([0.5, 0.5])}); opt.step({"w": np.array([0.5, 0.5])})
    >>> w.round(6).tolist()
    [0.855, -2.145]
    """

    _hyper = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(self, lr: float, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(lr)
        for name, v in (("momentum", momentum), ("dampening", dampening),
                        ("weight_decay", weight_decay)):
            _check(isinstance(v, (int, float)) and v >= 0, "SGD", name, v, "a number >= 0")
        _check(not nesterov or (momentum > 0 and dampening == 0), "SGD", "nesterov",
               nesterov, "False unless momentum > 0 and dampening = 0 (as in torch)")
        self.momentum, self.dampening = float(momentum), float(dampening)
        self.weight_decay, self.nesterov = float(weight_decay), bool(nesterov)

    def _slots(self) -> Tuple[str, ...]:
        return ("momentum_buffer",) if self.momentum else ()

    def _update(self, p, g, state, scratch, k):
        s1, s2 = scratch
        if self.weight_decay:
            np.multiply(p, self.weight_decay, out=s2)
            g = np.add(g, s2, out=s1)
        if self.momentum:
            buf = state["momentum_buffer"]
            if k == 1:
                np.copyto(buf, g)
            else:
                buf *= self.momentum
                buf += g if not self.dampening else np.multiply(g, 1 - self.dampening, out=s2)
            if self.nesterov:
                np.multiply(buf, self.momentum, out=s2)
                g = np.add(g, s2, out=s1)
            else:
                g = buf
        p += np.multiply(g, -self.lr, out=s2)


class Adam(Optimizer):
    """Adam as torch.optim.Adam (Kingma & Ba with torch's placement of the bias
    corrections): g += weight_decay*p; m += (1 - beta1)*(g - m); v = beta2*v +
    (1 - beta2)*g*g; with ``amsgrad``, v_max = max(v_max, v) stands for v below;
    p -= lr/(1 - beta1^k) * m / (sqrt(v)/sqrt(1 - beta2^k) + eps) at step k.

    >>> w = np.array([1.0, -1.0]); opt = Adam(0.1); opt.attach({"w": w})
    >>> opt.step({"w": np.array([3.0, -0.01])})     # the first step moves each by ~lr
    >>> w.round(6).tolist()
    [0.9, -0.9]
    """

    _hyper = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    _decoupled = False

    def __init__(self, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(lr)
        name = type(self).__name__
        _check(len(tuple(betas)) == 2 and all(0 <= b < 1 for b in betas), name, "betas",
               betas, "two numbers in [0, 1)")
        for symbol, v in (("eps", eps), ("weight_decay", weight_decay)):
            _check(isinstance(v, (int, float)) and v >= 0, name, symbol, v, "a number >= 0")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps, self.weight_decay, self.amsgrad = float(eps), float(weight_decay), bool(amsgrad)

    def _slots(self) -> Tuple[str, ...]:
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    def _update(self, p, g, state, scratch, k):
        s1, s2 = scratch
        beta1, beta2 = self.betas
        if self.weight_decay and self._decoupled:
            p *= 1 - self.lr * self.weight_decay
        elif self.weight_decay:
            np.multiply(p, self.weight_decay, out=s2)
            g = np.add(g, s2, out=s1)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += np.multiply(np.subtract(g, m, out=s2), 1 - beta1, out=s2)    # torch's lerp_
        v *= beta2
        v += np.multiply(np.multiply(g, 1 - beta2, out=s2), g, out=s2)
        if self.amsgrad:
            v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        step_size = self.lr / (1 - beta1 ** k)
        denom = np.sqrt(v, out=s2)
        denom /= (1 - beta2 ** k) ** 0.5
        denom += self.eps
        p += np.divide(np.multiply(m, -step_size, out=s1), denom, out=s1)


class AdamW(Adam):
    """Adam with decoupled weight decay, as torch.optim.AdamW (whose default
    weight_decay is 0.01): p *= 1 - lr*weight_decay before the Adam step, and the decay
    never enters the moments.

    >>> w = np.array([1.0]); opt = AdamW(0.1, weight_decay=0.5); opt.attach({"w": w})
    >>> opt.step({"w": np.array([0.0])}); w.tolist()       # a zero gradient: decay only
    [0.95]
    """

    _decoupled = True

    def __init__(self, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


class LRScheduler:
    """A learning-rate schedule over epochs: ``step()`` after each epoch sets
    ``optimizer.lr`` to the next epoch's rate (torch's recurrence on the current rate);
    ``base_lr`` is the rate the optimiser had when the schedule was made.

    >>> isinstance(StepLR(SGD(1.0), step_size=1), LRScheduler)
    True
    """

    _hyper: Tuple[str, ...] = ()

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = float(optimizer.lr)
        self.last_epoch = 0

    def step(self) -> None:
        """Move on one epoch and set the optimiser's learning rate."""
        self.last_epoch += 1
        self.optimizer.lr = float(self._next_lr(self.optimizer.lr))

    def get_last_lr(self) -> float:
        """The learning rate the last ``step`` set (a number: there is one group)."""
        return self.optimizer.lr

    def state_dict(self) -> Dict[str, Any]:
        """``schedule``, ``last_epoch``, ``base_lr`` and the schedule's settings."""
        out = {"schedule": type(self).__name__, "last_epoch": self.last_epoch,
               "base_lr": self.base_lr}
        out.update({h: getattr(self, h) for h in self._hyper})
        return out

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` (the optimiser's own lr comes from its state)."""
        name = type(self).__name__
        state = _plain(state)
        _check(state.get("schedule") == name, f"{name}.load_state_dict", "schedule",
               state.get("schedule"), f"{name!r} (a state dict of another schedule)")
        self.last_epoch, self.base_lr = int(state["last_epoch"]), float(state["base_lr"])
        for h in self._hyper:
            setattr(self, h, state[h])


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` epochs (torch's StepLR).

    >>> opt = SGD(1.0); sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> [(sched.step(), opt.lr)[1] for _ in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """

    _hyper = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        _check(isinstance(step_size, (int, np.integer)) and step_size >= 1, "StepLR", "step_size",
               step_size, "a whole number of epochs >= 1")
        self.step_size, self.gamma = int(step_size), float(gamma)

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma if self.last_epoch % self.step_size == 0 else lr


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every epoch (torch's ExponentialLR).

    >>> opt = SGD(1.0); sched = ExponentialLR(opt, gamma=0.5); sched.step(); opt.lr
    0.5"""

    _hyper = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float):
        super().__init__(optimizer)
        self.gamma = float(gamma)

    def _next_lr(self, lr: float) -> float:
        return lr * self.gamma


class CosineAnnealingLR(LRScheduler):
    """Cosine from ``base_lr`` down to ``eta_min`` over ``T_max`` epochs, back up over
    the next ``T_max`` and so on (torch's CosineAnnealingLR, with its recurrence):
    eta_min + (base_lr - eta_min)*(1 + cos(pi*epoch/T_max))/2.

    >>> opt = SGD(1.0); sched = CosineAnnealingLR(opt, T_max=2)
    >>> [round((sched.step(), opt.lr)[1], 12) for _ in range(4)]
    [0.5, 0.0, 0.5, 1.0]
    """

    _hyper = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):
        super().__init__(optimizer)
        _check(isinstance(T_max, (int, np.integer)) and T_max >= 1, "CosineAnnealingLR",
               "T_max", T_max, "a whole number of epochs >= 1")
        self.T_max, self.eta_min = int(T_max), float(eta_min)

    def _next_lr(self, lr: float) -> float:
        e, t, lo = self.last_epoch, self.T_max, self.eta_min
        if (e - 1 - t) % (2 * t) == 0:
            return lr + (self.base_lr - lo) * (1 - math.cos(math.pi / t)) / 2
        return ((1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t))
                * (lr - lo) + lo)
