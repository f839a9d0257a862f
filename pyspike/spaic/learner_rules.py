"""The texts of SPAIC's local learning rules on pyspike (learners.py runs them): each a
pyspike PlasticityRule (event-driven code in on_pre/on_post) and, for the online rules,
the statements a Synapses' ``run_regularly`` runs at the start of every step.

SPAIC's online rules change a weight two steps after the spikes that cause it (its
learner reads the spikes of the step before, and applies the change it computed in the
step before that).  Here the events of a step add their changes to ``dw_new``; each
step starts by applying ``dw_old`` (the changes of the events two steps back), then
normalising each postsynaptic row and clipping as SPAIC does, then passing ``dw_new`` on
to ``dw_old``.  A pre- and a postsynaptic spike in one step pair with both traces just
set (SPAIC updates the traces first): the postsynaptic event adds the part of the
depression the presynaptic one, which ran first with the older trace, left out.

>>> RULES["nearest_online_stdp"].on_pre
'x_in = 1\\ndw_new -= Apre*x_out\\nt_in = t'
>>> step_operation("nearest_online_stdp", 78.4)[1]
{'total_post': 'abs(w + dw_old)'}
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Tuple

from ..models.rule import PlasticityRule
from .learners_meta import META_OPERATION, META_OPTIONS, META_RULE

_MODEL = """
    dx_in/dt = -x_in/tau_in : 1 (event-driven)
    dx_out/dt = -x_out/tau_out : 1 (event-driven)
    dw_new : 1
    dw_old : 1
    t_in : ms
"""
_STDP_PARAMS = {"Apost": 1e-2, "Apre": 1e-4, "tau_in": 20.0, "tau_out": 20.0,
                "w_norm": 78.4, "t_norm": 0.0}
#: R-STDP's traces (Florian 2007) and the eligibility they feed, in both reward rules
_RSTDP_MODEL = """
    dp_plus/dt = -p_plus/tau_plus : 1 (event-driven)
    dp_minus/dt = -p_minus/tau_minus : 1 (event-driven)
    elig : 1
"""
_RSTDP_PARAMS = {"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0}
RULES: Dict[str, PlasticityRule] = {
    "nearest_online_stdp": PlasticityRule(
        "nearest_online_stdp", "SPAIC's nearest-spike online STDP (learners.py).",
        model=_MODEL, on_pre="x_in = 1\ndw_new -= Apre*x_out\nt_in = t",
        on_post="dw_new -= where(t_in == t, Apre*(1 - x_out), 0)\nx_out = 1\n"
                "dw_new += Apost*x_in", params=dict(_STDP_PARAMS)),
    "full_online_stdp": PlasticityRule(
        "full_online_stdp", "SPAIC's all-pairs online STDP (learners.py).",
        model=_MODEL, on_pre="x_in += 1\ndw_new -= Apre*x_out\nt_in = t",
        on_post="dw_new -= where(t_in == t, Apre, 0)\nx_out += 1\ndw_new += Apost*x_in",
        params=dict(_STDP_PARAMS)),
    "meta_nearest_online_stdp": META_RULE,
    "rstdp": PlasticityRule(
        "rstdp", "SPAIC's reward-modulated STDP, its eligibility summed over a run.",
        model=_RSTDP_MODEL,
        on_pre="p_plus += A_plus\nelig += p_minus",
        on_post="p_minus += A_minus\nelig += p_plus",
        params=dict(_RSTDP_PARAMS)),
    # rstdpet: each eligibility increment e at time t feeds a trace decaying with
    # tau_e_trace whose sum over the run's remaining steps is
    # e*(1 - exp(-(t_end - t)/tau_e_trace))/(1 - exp(-dt/tau_e_trace)) (t_end: set per run)
    "rstdpet": PlasticityRule(
        "rstdpet", "SPAIC's R-STDP with an eligibility trace, its trace summed over a run.",
        model=_RSTDP_MODEL,
        on_pre="p_plus += A_plus\nelig += p_minus*(1 - exp(-(t_end - t)/tau_e_trace))",
        on_post="p_minus += A_minus\nelig += p_plus*(1 - exp(-(t_end - t)/tau_e_trace))",
        params={**_RSTDP_PARAMS, "tau_e_trace": 25.0, "t_end": 0.0}),
}
#: the online STDP rules: rates zeroed in eval, rows normalised and clipped every step
STDP = ("nearest_online_stdp", "full_online_stdp")
_DECAY = math.exp(-1 / 20)
#: each algorithm's options and SPAIC's defaults (those of the rule, and the learner's);
#: nearest_online_stdp's trace_pre and trace_post (None: trace_decay) are SPAIC's names,
#: trace_decay pyspike's for both
OPTIONS = {
    "nearest_online_stdp": {"Apost": 1e-2, "Apre": 1e-4, "trace_decay": _DECAY,
                            "trace_pre": None, "trace_post": None, "w_norm": 78.4,
                            "lr": 0.01},
    "full_online_stdp": {"Apost": 1e-2, "Apre": 1e-4, "trace_decay": _DECAY,
                         "w_norm": 78.4, "lr": 0.01},
    "meta_nearest_online_stdp": META_OPTIONS,
    "rstdp": {"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
              "lr": 0.1, "w_min": None, "w_max": None},
    "rstdpet": {"A_plus": 1.0, "A_minus": -1.0, "tau_plus": 20.0, "tau_minus": 20.0,
                "tau_e_trace": 25.0, "tau_e": 25.0, "lr": 0.1, "w_min": None, "w_max": None},
    "custom_rule": {"model": "", "on_pre": "", "on_post": "", "params": None,
                    "lr": 0.0, "w_min": None, "w_max": None},
}

#: what a network file holds of each gradient learner (learners_gradient.py): alpha, and
#: sbp's surrogate, by its name
GRADIENT_OPTIONS = {"stca": ("alpha",), "stbp": ("alpha",), "sbp": ("alpha", "surrogate_func")}


def step_operation(algorithm: str, w_norm) -> Optional[Tuple[str, Dict[str, str]]]:
    """(statements, sums) of the rule's run_regularly at the start of every step, None
    for a rule without one.  STDP: the changes of two steps back, then each row scaled to
    sum to w_norm (full_online_stdp: from the step t_norm on, SPAIC's last step of a run;
    a row that sums to 0 is left as it is), then clipped to [0, 1]."""
    if algorithm == "meta_nearest_online_stdp":
        return META_OPERATION
    if algorithm not in STDP:
        return None
    tail = "w = where(w < 0, 0, where(w > 1, 1, w))\ndw_old = dw_new\ndw_new = 0"
    if w_norm is None:
        return f"w = w + dw_old\n{tail}", {}
    when = "total_post > 0" if algorithm == "nearest_online_stdp" else \
        "total_post > 0 and t >= t_norm"
    return (f"w = where({when}, w_norm*(w + dw_old)/total_post, w + dw_old)\n{tail}",
            {"total_post": "abs(w + dw_old)"})
