"""The NumPy reference of a Synapses' run_regularly (codegen/synaptic_operations.py): the
sums, each synapse's term added in storage order (``np.add.at`` adds in index order, as
the C++ loop does, so that the sums round alike), then the statements on every synapse
at once (each writes only its own synaptic variables)."""
from __future__ import annotations

import numpy as np

from ..codegen.ir import NetworkKernel
from ..codegen.synaptic import POST_INDEX, PRE_INDEX
from .. import random as ps_random
from ..evaluate import evaluate
from .numpy_synapses import every_synapse


class OperationReference:
    """Runs one SynapticOperation kernel on the runtime's arrays of one instance."""

    def __init__(self, op, net: NetworkKernel, real):
        self.op, self.real = op, real
        self.sk = net.synapses[op.synapses]

    def run(self, arrays, rargs, step: int, t, seed: int) -> None:
        op, sk, real = self.op, self.sk, self.real
        if step % op.every != 0 or rargs[op.active] == 0:
            return
        s, i, j = every_synapse(sk, arrays)
        index = {"syn": s, "pre": sk.pre_start + i, "post": sk.post_start + j,
                 "sum_post": j, "sum_all": np.zeros_like(s)}
        env = {"t": t, "dt": real(rargs[0]), PRE_INDEX.name: i.astype(real),
               POST_INDEX.name: j.astype(real)}
        for name, a in op.access.items():
            if a.where == "scalar":
                env[name] = real(rargs[a.rarg])
        for name in op.sum_loads:
            a = op.access[name]
            env[name] = arrays[a.slot][index[a.where]]
        for x in op.sums:
            terms = np.broadcast_to(np.asarray(evaluate(x.expr, env, real), dtype=real),
                                    s.shape)
            buf = arrays[x.slot]
            buf[:] = 0
            np.add.at(buf, j if x.over == "post" else np.zeros_like(s), terms)
        for name in op.body.loads:
            a = op.access[name]
            env[name] = arrays[a.slot][index[a.where]]
        for d in op.body.draws:
            fn = ps_random.rand if d.kind == "uniform" else ps_random.randn
            env[d.symbol.name] = fn(seed, step, s.astype(np.uint32), d.stream, dtype=real)
        for a in op.body.code:
            env[a.target.name] = np.broadcast_to(
                np.asarray(evaluate(a.expr, env, real), dtype=real), s.shape)
        for name in op.body.stores:
            arrays[op.access[name].slot][s] = env[name]
