"""The NumPy reference backend: interprets the kernel IR, step by step, vectorised over
neurons.  Slow and simple on purpose: it is the oracle the compiled backends must match.

It reads and writes exactly the arrays the compiled library would (same slots, same
counters), so the runtime and the monitors cannot tell the backends apart.
"""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import sympy as sp

from ..codegen.expressions import PoissonCount, StepBound, TimedArrayCall, exprel
from ..codegen.kernels import Draw, GroupKernel, NetworkKernel
from .. import random as ps_random
from .numpy_synapses import SynapsesReference

_UNARY = {sp.exp: np.exp, sp.log: np.log, sp.sin: np.sin, sp.cos: np.cos, sp.tan: np.tan,
          sp.tanh: np.tanh, sp.floor: np.floor, sp.ceiling: np.ceil, sp.Abs: np.abs}
_RELATIONS = {sp.StrictGreaterThan: np.greater, sp.GreaterThan: np.greater_equal,
              sp.StrictLessThan: np.less, sp.LessThan: np.less_equal,
              sp.Equality: np.equal, sp.Unequality: np.not_equal}


def evaluate(e: sp.Basic, env: Dict[str, object], real=np.float64):
    """Evaluate a codegen expression with NumPy; numbers are of type ``real``."""
    if e.is_Symbol:
        return env[e.name]
    if e.is_Integer:     # exact where NumPy's integers are; beyond 2**63, a real as in C++
        return int(e) if abs(int(e)) < 2 ** 63 else real(float(int(e)))
    if e.is_Rational:
        return real(e.p) / real(e.q)
    if e.is_Float:
        return real(float(e))
    if e is sp.true or e is sp.false:
        return bool(e)
    if e is sp.oo or e is sp.S.NegativeInfinity:
        return real(np.inf if e is sp.oo else -np.inf)
    if e.is_NumberSymbol:
        return real(float(e))
    lazy = isinstance(e, (sp.Piecewise, sp.Add, sp.Mul))
    args = [] if lazy else [evaluate(a, env, real) for a in e.args]
    with np.errstate(all="ignore"):
        if isinstance(e, sp.Add):
            return _fold(np.add, [evaluate(a, env, real) for a in e.as_ordered_terms()])
        if isinstance(e, sp.Mul):
            return _mul(e, env, real)
        if isinstance(e, sp.Pow):
            base, exponent = args
            if e.exp == sp.Rational(1, 2):
                return np.sqrt(base)
            if e.exp.is_Integer and 1 <= abs(int(e.exp)) <= 4:
                prod = base
                for _ in range(abs(int(e.exp)) - 1):
                    prod = prod * base
                return prod if int(e.exp) > 0 else real(1) / prod
            return np.power(base, real(exponent) if not isinstance(exponent, np.ndarray)
                            else exponent)
        if type(e) in _UNARY:
            return _UNARY[type(e)](args[0])
        if isinstance(e, PoissonCount):
            return _poisson(np.asarray(args[0], dtype=np.float64),
                            np.asarray(args[1], dtype=np.float64))
        if isinstance(e, TimedArrayCall):
            values, inv_dt = env["_timed"][e.func.array_name]
            k = np.floor(np.float64(args[0]) * inv_dt + 1e-6).astype(np.int64)
            col = np.asarray(args[1]).astype(np.int64)
            return values[np.clip(k, 0, values.shape[0] - 1),
                          np.clip(col, 0, values.shape[1] - 1)]
        if isinstance(e, StepBound):
            # ps_step_bound: step - steps, clamped to int32
            return np.clip(np.int64(args[0]) - np.int64(args[1]), -2 ** 31, 2 ** 31 - 1)
        if isinstance(e, exprel):
            # ps_exprel: expm1(z)/z, 1 at z = 0
            z = np.asarray(args[0])
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(z == 0, real(1), np.expm1(z) / z)
        if isinstance(e, sp.Mod):
            a, b = args
            return a - b * np.floor(a / b)
        if isinstance(e, sp.Min):
            return _fold(np.fmin, args)
        if isinstance(e, sp.Max):
            return _fold(np.fmax, args)
        if type(e) in _RELATIONS:
            return _RELATIONS[type(e)](*args)
        if isinstance(e, sp.And):
            return _fold(np.logical_and, args)
        if isinstance(e, sp.Or):
            return _fold(np.logical_or, args)
        if isinstance(e, sp.Not):
            return np.logical_not(args[0])
        if isinstance(e, sp.Piecewise):
            *cases, (last, _) = e.args
            out = evaluate(last, env, real)
            for value, cond in reversed(cases):
                out = np.where(evaluate(cond, env, real), evaluate(value, env, real), out)
            return out
    raise NotImplementedError(f"the NumPy reference cannot evaluate {type(e).__name__}")


def _mul(e: sp.Mul, env, real):
    """A product in the order and grouping the C printer writes it: the same rounding.

    sympy's printer writes ``-c*a*b/(x*y)``: numerator factors left to right, then one
    division by the product of the factors with negative rational exponents.
    """
    coeff, rest = e.as_coeff_Mul()
    negative = coeff.is_negative
    if negative:
        e = sp.Mul(-coeff, rest) if -coeff != 1 else rest
    num, den = [], []
    for item in (e.as_ordered_factors() if isinstance(e, sp.Mul) else [e]):
        if item.is_Pow and item.exp.is_Rational and item.exp.is_negative:
            den.append(sp.Pow(item.base, -item.exp, evaluate=(item.exp == -1)))
        else:
            num.append(item)
    value = _fold(np.multiply, [evaluate(a, env, real) for a in num]) if num else real(1)
    if den:
        value = value / _fold(np.multiply, [evaluate(a, env, real) for a in den])
    return -value if negative else value


def _fold(fn, args):
    out = args[0]
    for a in args[1:]:
        out = fn(out, a)
    return out


class NumpyBackend:
    """``backend="numpy"``: the reference interpreter of the kernel IR."""

    name = "numpy"
    target = "numpy"

    def prepare(self, generated, cache_dir=None) -> dict:
        kernel: NetworkKernel = generated.kernel
        self.kernel = kernel
        self.real = np.float64 if kernel.real == "double" else np.float32
        self.synapses = [SynapsesReference(sk, kernel, self.real) for sk in kernel.synapses]
        return {"compiled": False, "library": None, "source": None}

    def run(self, arrays: List[np.ndarray], iargs: np.ndarray, rargs: np.ndarray,
            n_steps: int) -> int:
        self._iargs = iargs
        # Instance b of a batch: row b of every two-dimensional array, its own seed.
        first_seed = self.kernel.n_iargs + self.kernel.n_slots
        seeds = [int(x) for x in iargs[first_seed:]]
        tables = [[a[b] if a is not None and a.ndim == 2 else a for a in arrays]
                  for b in range(len(seeds))]
        rows = rargs.reshape(len(seeds), -1)          # dt and shared values, per instance
        envs = [[self._setup(g, table, row) for g in self.kernel.groups]
                for table, row in zip(tables, rows)]
        checks = [(m.fill, m.capacity, g.N) for g in self.kernel.groups
                  for m in g.spike_monitors]
        for s in range(n_steps):
            step = int(iargs[0]) + s
            if any(t[0][f] + n > t[0][c] for t in tables for f, c, n in checks):
                return s
            for table, env, seed, row in zip(tables, envs, seeds, rows):
                self._one_step(table, env, iargs, row, step, seed)
        return n_steps

    def _one_step(self, arrays, envs, iargs, rargs, step: int, seed: int) -> None:
        """One step of one instance."""
        real, counters = self.real, arrays[0]
        t = real(step * float(rargs[0]))
        for syn in self.synapses:
            syn.before_groups(arrays, rargs, step, t, seed)
        for g, env in zip(self.kernel.groups, envs):
            if g.generator is not None:
                self._generate(g, arrays, step)
            else:
                self._step(g, env, arrays, iargs, step, t, seed)
        t_events = real((step + 1) * float(rargs[0]))   # the time of the state events change
        for syn in self.synapses:
            syn.step(arrays, iargs, rargs, counters, step, t_events, seed)

    def _setup(self, g: GroupKernel, arrays, rargs) -> dict:
        real = self.real
        env = {"dt": real(rargs[0]), "N": g.N, "i": np.arange(g.N, dtype=np.int32)}
        for name, r in g.shared.items():
            env[name] = real(rargs[r])
        for a in g.run_scalars:
            value = evaluate(a.expr, env, real)
            env[a.target.name] = np.int64(value) if a.ctype == "int64" else real(value)
        for name, arr in g.arrays.items():
            env[name] = arrays[arr.slot]
        env["_timed"] = {ta.name: (arrays[ta.slot].reshape(-1, int(self._iargs[ta.m_iarg])),
                                   float(rargs[ta.rarg])) for ta in g.timed}
        for assign, arr in g.run_arrays:
            arrays[arr.slot][:] = evaluate(assign.expr, env, real)
            env[assign.target.name] = arrays[arr.slot]
        return env

    def _step(self, g: GroupKernel, base: dict, arrays, iargs, step: int, t, seed: int):
        real = self.real
        counters = arrays[0]
        for m in g.state_monitors:
            stride = int(iargs[m.stride])
            if step % m.every == 0 and counters[m.fill] < stride:
                k = counters[m.fill]
                idx = arrays[m.index_slot]
                for var, slot in zip(m.variables, m.buffer_slots):
                    value = base[var]
                    buf = arrays[slot].reshape(m.n_record, stride)
                    buf[:, k] = value[idx] if isinstance(value, np.ndarray) else value
                counters[m.fill] += 1
        env = dict(base)
        env.update(t=t, step=step)
        for name in g.loads:
            # (int32 step counts compute in int64, as the generated code does)
            loaded = arrays[g.arrays[name].slot]
            env[name] = loaded.astype(np.int64) if loaded.dtype == np.int32 else loaded.copy()
        self._draw(g.draws, env, seed, step, np.arange(g.N, dtype=np.uint32))
        for a in g.update:
            env[a.target.name] = _full(evaluate(a.expr, env, real), g.N, a.ctype, real)
        spiked = np.zeros(0, dtype=np.int64)
        if g.spike is not None:
            spiked = np.nonzero(_full(evaluate(g.spike, env, real), g.N, "bool", real))[0]
        self._draw(g.input_draws, env, seed, step, np.arange(g.N, dtype=np.uint32))
        for a in g.inputs:
            env[a.target.name] = _full(evaluate(a.expr, env, real), g.N, a.ctype, real)
        for name in g.stores:
            arrays[g.arrays[name].slot][:] = env[name]
        if g.spike is None:
            self._emit(g, arrays, spiked, step)
            return
        if len(spiked) and g.reset:
            renv = dict(base)
            renv.update(t=t, step=step, i=spiked.astype(np.int32))
            for name, arr in g.arrays.items():
                renv[name] = arrays[arr.slot][spiked]
            for assign, arr in g.run_arrays:
                renv[assign.target.name] = arrays[arr.slot][spiked]
            self._draw(g.reset_draws, renv, seed, step, spiked.astype(np.uint32))
            for a in g.reset:
                renv[a.target.name] = _full(evaluate(a.expr, renv, real), len(spiked),
                                            a.ctype, real)
            for name in g.reset_stores:
                arrays[g.arrays[name].slot][spiked] = renv[name]
        self._emit(g, arrays, spiked, step)

    def _emit(self, g: GroupKernel, arrays, spiked: np.ndarray, step: int) -> None:
        """This step's spikes: the spike list for synapses, then the monitors."""
        counters = arrays[0]
        if g.spike_list is not None:
            arrays[g.spike_list.slot][:len(spiked)] = spiked
            counters[g.spike_count] = len(spiked)
        for m in g.spike_monitors:
            fill = counters[m.fill]
            arrays[m.i_slot][fill:fill + len(spiked)] = spiked
            arrays[m.step_slot][fill:fill + len(spiked)] = step + 1
            counters[m.fill] += len(spiked)
        for m in g.rate_monitors:
            mine = spiked if m.stop < 0 else spiked[(spiked >= m.start) & (spiked < m.stop)]
            arrays[m.slot][counters[m.fill]] = len(mine)
            counters[m.fill] += 1

    def _generate(self, g: GroupKernel, arrays, step: int) -> None:
        """A SpikeGeneratorGroup: emit the given spikes stamped step + 1."""
        counters, gen = arrays[0], g.generator
        stamps = arrays[gen.step_slot]
        pos, end = int(counters[gen.position]), int(counters[gen.count])
        stop = pos + int(np.searchsorted(stamps[pos:end], step + 1, side="right"))
        chosen = stamps[pos:stop] == step + 1
        counters[gen.position] = stop
        self._emit(g, arrays, arrays[gen.index_slot][pos:stop][chosen].astype(np.int64), step)

    def _draw(self, draws: List[Draw], env: dict, seed: int, step: int, elem: np.ndarray):
        for d in draws:
            fn = ps_random.rand if d.kind == "uniform" else ps_random.randn
            env[d.symbol.name] = fn(seed, step, elem, d.stream, dtype=self.real)

    def close(self) -> None:
        pass


def _poisson(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``ps_poisson``: the same inversion, the same double arithmetic, vectorised."""
    u, lam = np.broadcast_arrays(u, lam)
    p = np.exp(-lam)
    F, k = p.copy(), np.zeros(u.shape)
    going = (u > F) & (p > 0)
    while going.any():
        k = np.where(going, k + 1.0, k)
        p = np.where(going, p * (lam / np.where(going, k, 1.0)), p)
        total = np.where(going, F + p, F)
        going &= total > F                    # the sum stopped growing: the far tail
        F = total
        going &= u > F
    return k


def _full(value, n: int, ctype: str, real):
    dtype = {"real": real, "bool": np.bool_, "int64": np.int64}[ctype]
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()
