"""The learners of a network file (:mod:`pyspike.spaic.structure_io`).

Every learner: ``key``, ``name``, ``algorithm``, ``trainable`` (references; a projection
by its connections), ``reward`` (a reference or null) and ``options``.  A local rule's
options are those of learner_rules.OPTIONS (a custom rule's text among them).  A
gradient learner's (STCA, STBP, sbp: learners_gradient.py) are ``alpha`` and sbp's
``surrogate_func``, by pyspike's name of the surrogate ("atan", "sigmoid", ...; SPAIC's
class names load too); with, as SPAIC's network_save writes them beside a learner's
parameters, the optimiser and schedule chosen for it: ``optim_name``, ``optim_lr``,
``optim_para``, ``lr_schedule_name``, ``lr_schedule_para`` (null where none was set).
The optimiser's state (Adam's moments, say) is not saved, as in SPAIC.
"""
from __future__ import annotations

from typing import Callable

from ..codegen.errors import ModelError
from .learner_rules import GRADIENT_OPTIONS, OPTIONS
from .learners import Learner

#: SPAIC's keys of a learner's optimiser and schedule
OPTIMISER = ("optim_name", "optim_lr", "optim_para", "lr_schedule_name", "lr_schedule_para")


def describe(lr, key: str, ref: Callable, plain: Callable) -> dict:
    """The entry of learner ``lr`` (``ref``: a member's reference; ``plain``: a value as
    plain data)."""
    gradient = bool(getattr(lr, "gradient_based", False))
    if not gradient and type(lr) is not Learner:
        raise ModelError(f"the learner '{key}' is a {type(lr).__name__}, a subclass of "
                         "Learner whose rule is Python code (connection_rule): no network "
                         "file holds it", where="network_save", symbol=key)
    items = lr.trainable if isinstance(lr.trainable, (list, tuple)) else [lr.trainable]
    items = [c for x in items for c in (x.connections() if getattr(
        type(x), "member_table", None) == "_projections" else [x])]
    out = {"key": key, "name": lr.name, "algorithm": lr.algorithm,
           "trainable": [ref(x, key) for x in items],
           "reward": None if lr.reward_node is None else ref(lr.reward_node, key)}
    if gradient:
        values = {"alpha": lr.alpha, "surrogate_func": lr.surrogate}
        out["options"] = plain({o: values[o] for o in GRADIENT_OPTIONS[lr.algorithm]}, key)
        out.update({o: plain(getattr(lr, o, None), f"the {o} of '{key}'") for o in OPTIMISER})
        return out
    rule = vars(lr.rule) if lr.algorithm == "custom_rule" else {}   # its text
    out["options"] = plain({o: lr.params.get(o, rule.get(o, getattr(lr, o, None)))
                            for o in OPTIONS[lr.algorithm]}, key)
    return out


def make(entry: dict, what: str, ref: Callable, made: Callable, options: Callable):
    """The learner an entry describes (``made``: a call whose refusal names the entry;
    ``options``: keyword arguments from a mapping of the file), its optimiser and schedule
    set where the entry names them."""
    learner = made(what, Learner, trainable=[ref(r, what) for r in entry.get("trainable", [])],
                   name=entry.get("name"), algorithm=entry.get("algorithm"),
                   reward=None if entry.get("reward") is None else ref(entry["reward"], what),
                   **options(entry.get("options"), what))
    if entry.get("optim_name") is not None:
        made(what, _method(learner, "set_optimizer", what), entry["optim_name"],
             entry.get("optim_lr"), **options(entry.get("optim_para"), what))
    if entry.get("lr_schedule_name") is not None:
        made(what, _method(learner, "set_schedule", what), entry["lr_schedule_name"],
             **options(entry.get("lr_schedule_para"), what))
    return learner


def _method(learner, name: str, what: str):
    """A gradient learner's ``set_optimizer``/``set_schedule``, else refused."""
    if not getattr(learner, "gradient_based", False):
        raise ModelError(f"{what} of the file has an optimiser or schedule, which only the "
                         f"gradient learners (STCA, STBP, sbp) take, not {learner.algorithm!r}",
                         where="network_load", symbol=name)
    return getattr(learner, name)
