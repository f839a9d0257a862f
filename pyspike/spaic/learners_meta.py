"""SPAIC's ``meta_nearest_online_stdp`` (its Meta_nearest_online_STDP) on pyspike: the
synapses' events only mark the step's spikes; a run_regularly at the start of every step
does the rest of SPAIC's update for the spikes of the step before (SPAIC's learner reads
them one step late), on every synapse:

- the traces, nearest-spike: ``x = decay*x*(1 - spike) + spike`` (pre_decay for the
  presynaptic one, post_decay for the postsynaptic one, which SPAIC keeps from one run to
  the next: ``[stay]``);
- ``dw = Apost*post_spike*x_in - Apre*x_out*pre_spike``;
- each postsynaptic neuron's target mean ``w_mean`` (held by each of its synapses) moves
  against its trace's excess over the mean of all the traces,
  ``w_mean -= 0.1*Apre*(x_out - mean(x_out))``, and all of them are scaled so that their
  mean stays the first one's, ``aw_mean``;
- ``w = w*w_mean/max(mean of the row of w, 1e-6) + dw*soft_clamp``, the soft clamp
  ``exp(-0.2/max(w - w_min, 1e-4))`` for a decrease, ``exp(-0.2/max(w_max - w, 1e-4))``
  for an increase.

The means over a row are SPAIC's over its dense row (the weights of absent synapses are
0); the mean of all the traces and of all the w_mean are sums over the synapses, each
weighted by 1/(the synapses of its postsynaptic neuron x the neurons with synapses).  The
rescaling of w_mean divides by their mean before the step's move, which the move leaves
unchanged (the moves add to zero): SPAIC's value up to rounding.  ``w_mean`` starts as the
weights' row means when the learner first runs and is kept, with the postsynaptic trace,
from run to run and across rebuilds; SPAIC's post-run update mode is always on (a run's
weights wait for ``optim_step``).  In a batch each sample moves its own copy (SPAIC:
one move of the batch's summed changes and batch-mean traces); the learner keeps the
batch's mean trace and w_mean.

>>> META_RULE.on_pre, sorted(META_OPERATION[1])
('pre_spike = 1', ['ot_mean', 'wm_mean', 'wsum_post'])
"""
from __future__ import annotations

import math
from typing import Dict

import numpy as np

from ..models.rule import PlasticityRule

META_RULE = PlasticityRule(
    "meta_nearest_online_stdp", "SPAIC's meta nearest-spike STDP (learners_meta.py).",
    model="x_in : 1\nx_out : 1\npre_spike : 1\npost_spike : 1\ndw : 1\nw_mean : 1",
    on_pre="pre_spike = 1", on_post="post_spike = 1",
    params={"Apost": 1e-2, "Apre": 1e-4, "pre_decay": math.exp(-1 / 30),
            "post_decay": math.exp(-1 / 200), "w_min": 0.0, "w_max": 1.0, "aw_mean": 1.0,
            "n_in": 1.0, "inv_n": 1.0})
#: SPAIC's options and defaults (its w_norm = 1.2 is read by nothing)
META_OPTIONS = {"Apost": 1e-2, "Apre": 1e-4, "pre_decay": math.exp(-1 / 30),
                "post_decay": math.exp(-1 / 200), "w_min": 0.0, "w_max": 1.0, "lr": 0.01}


def _bounded_below(x: str, low: str) -> str:
    return f"where({x} > {low}, {x}, {low})"


META_OPERATION = ("\n".join([
    "x_in = pre_decay*x_in*(1 - pre_spike) + pre_spike",
    "x_out = post_decay*x_out*(1 - post_spike) + post_spike",
    "dw = Apost*post_spike*x_in - Apre*x_out*pre_spike",
    "w_mean = (w_mean - 0.1*Apre*(x_out - ot_mean))*aw_mean/wm_mean",
    f"w = w*w_mean/{_bounded_below('wsum_post/n_in', '1e-6')} + dw*("
    f"where(dw < 0, exp(-0.2/{_bounded_below('w - w_min', '1e-4')}), 0) + "
    f"where(dw > 0, exp(-0.2/{_bounded_below('w_max - w', '1e-4')}), 0))",
    "pre_spike = 0", "post_spike = 0"]),
    {"wsum_post": "w", "ot_mean": "(post_decay*x_out*(1 - post_spike) + post_spike)*inv_n",
     "wm_mean": "w_mean*inv_n"})


def weights_of_mean(con, S) -> None:
    """Before the build: each synapse's weight in the means over all the synapses,
    1/(its postsynaptic neuron's synapses x the postsynaptic neurons with synapses)."""
    post = np.asarray(S.j)
    counts = np.bincount(post, minlength=con.shape[0]).astype(float)
    per = 1.0 / (counts[post] * max(np.count_nonzero(counts), 1))
    S.inv_n = float(per[0]) if per.size and np.all(per == per[0]) else per


def begin(state: Dict[int, dict], con, S, training: bool, params: dict) -> None:
    """Before a run: the kept w_mean and postsynaptic trace into the synapses (from the
    weights' row means at the first run), the rates (0 in eval)."""
    kept = state.get(id(con))
    rows = con.lowered[1]
    if kept is None:
        w_mean = np.asarray(con.weight, dtype=float).mean(axis=1)
        kept = state[id(con)] = {"w_mean": w_mean[rows], "x_out": np.zeros(rows.size),
                                 "aw_mean": float(w_mean.mean())}
    S.w_mean, S.x_out, S.aw_mean = kept["w_mean"], kept["x_out"], kept["aw_mean"]
    S.n_in = float(con.shape[1])
    for key in ("Apost", "Apre"):
        setattr(S, key, params[key] if training else 0.0)


def end(state: Dict[int, dict], con, S) -> None:
    """After a run: keep w_mean and the postsynaptic trace (a batch's mean)."""
    for name in ("w_mean", "x_out"):
        state[id(con)][name] = np.atleast_2d(np.asarray(getattr(S, name))).mean(axis=0)
