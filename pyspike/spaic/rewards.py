"""SPAIC's rewards and actions as functions over NumPy records.

A reward reads a window ``(B, W, N)`` of its target's record (spikes 'O', or 'V') and
the labels ``target`` that ``Net.reward(label)`` gave; SPAIC computes it every
``dec_sample_step`` steps (default 1: every step) from the last W = ``dec_sample_step``
steps and writes it to ``Output_Reward`` (zeros in between): :func:`reward_steps` plays
that schedule over a run.  An action reads the whole run ``(B, T, N)`` and returns one
action (an int); the random ones draw from the ``rng`` given.  Options are keyword-only
parameters with SPAIC's names and defaults; :func:`lookup_reward` and
:func:`lookup_action` find them by their ``coding_method`` names.
"""
from __future__ import annotations

import math
import random
from typing import Any, Mapping, Optional

import numpy as np

from ..codegen.errors import ModelError
from .coding import Coding, lookup
from .decoding import pool


def _window(record, where: str) -> np.ndarray:
    r = np.asarray(record, dtype=np.float64)
    if r.ndim != 3:
        raise ModelError(f"a {where.lower()} reads a record of shape (batch, steps, "
                         f"neurons); got shape {r.shape}", where=where, symbol="record")
    return r


def _labels(target, batch: int, classes: Optional[int] = None) -> np.ndarray:
    t = np.asarray(target).reshape(-1)
    if t.size != batch:
        raise ModelError(f"{t.size} labels given for a batch of {batch}", where="Reward",
                         symbol="target")
    if classes is not None and ((t < 0) | (t >= classes)).any():
        raise ModelError(f"labels must lie in [0, {classes}); got {t.tolist()}",
                         where="Reward", symbol="target")
    return t


def _predict(record, pop_size: int) -> np.ndarray:
    """The population with the most spikes in the window, per sample; a tie (and a
    silent window) goes to the lowest index, as torch.argmax."""
    return np.argmax(pool(record.sum(axis=1), pop_size, "Reward"), axis=1)


def reward_global_reward(record, target, *, pop_size: int = 1, reward_signal: float = 1,
                         punish_signal: float = -1) -> np.ndarray:
    """``reward_signal`` where the most active population is the label, else
    ``punish_signal``; shape ``(1,)`` for one sample and, as SPAIC, the MEAN over the
    batch (a 0-d array) for more.  A silent output "predicts" population 0."""
    r = _window(record, "Reward")
    hit = _predict(r, pop_size) == _labels(target, r.shape[0])
    reward = np.where(hit, float(reward_signal), float(punish_signal))
    return np.asarray(reward.mean()) if reward.size > 1 else reward


def reward_da_reward(record, target, *, pop_size: int = 1, reward_signal: float = 1,
                     punish_signal: float = 0) -> np.ndarray:
    """A reward per neuron ``(B, N)``: ``punish_signal`` everywhere, and
    ``reward_signal`` on the neurons of the predicted population of each sample whose
    prediction is right.  For a batch SPAIC SUMS over the samples: ``(1, N)``."""
    r = _window(record, "Reward")
    predict = _predict(r, pop_size)
    labels = _labels(target, r.shape[0])
    reward = np.full((r.shape[0], r.shape[2]), float(punish_signal))
    for b in np.flatnonzero(predict == labels):
        reward[b, predict[b] * pop_size:(predict[b] + 1) * pop_size] = reward_signal
    return reward.sum(axis=0, keepdims=True) if r.shape[0] > 1 else reward


def reward_xor_reward(record, target, *, pop_size: int = 1, reward_signal: float = 1,
                      punish_signal: float = -1) -> np.ndarray:
    """XOR task, ``(B, populations)``: ``reward_signal`` where the label is 1 and the
    population spiked in the window, ``punish_signal`` everywhere else.  As SPAIC, a
    silent output is punished for label 0 too (its reward starts at ``punish_signal``
    and only a spike for label 1 changes it).  SPAIC handles one sample of one
    population (a scalar); this applies the same rule to each sample and population."""
    r = _window(record, "Reward")
    counts = pool(r.sum(axis=1), pop_size, "Reward")
    labels = _labels(target, r.shape[0])[:, None]
    return np.where((labels == 1) & (counts > 0), float(reward_signal),
                    float(punish_signal))


def reward_environment_reward(record, target) -> np.ndarray:
    """The reward the environment gave, passed as ``target``."""
    return np.asarray(target, dtype=np.float64)


CLASSIFY_BETA = 0.99  # SPAIC's fixed decay of the running output (not an option)


def reward_classify_reward(record, target, out=0.0) -> tuple[np.ndarray, np.ndarray]:
    """``(reward (B, N), out)``; ``out`` is the running output carried from the previous
    window of the run (0 at the start of each run).  ``out = 0.99 * out + mean over the
    window``; ``z = (out - mean(out)) / (std(out) + 0.1)`` (mean and UNBIASED std over
    the whole batch, as torch.std); ``p = softmax(z)`` per sample; the reward is ``1 -
    p`` on the label's neuron and ``-p`` on the others."""
    r = _window(record, "Reward")
    labels = _labels(target, r.shape[0], r.shape[2]).astype(np.int64)
    out = CLASSIFY_BETA * np.asarray(out, dtype=np.float64) + r.mean(axis=1)
    z = (out - out.mean()) / (out.std(ddof=1) + 0.1) + 1.0e-8
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    mask = np.zeros_like(p)
    mask[np.arange(p.shape[0]), labels] = 1.0
    return (1.0 - p) * mask - p * (1.0 - mask), out


REWARDS: dict[str, Coding] = {
    "global_reward": Coding(reward_global_reward),
    "da_reward": Coding(reward_da_reward),
    "xor_reward": Coding(reward_xor_reward),
    "environment_reward": Coding(reward_environment_reward),
    "classify_reward": Coding(reward_classify_reward),
}
#: Rewards that carry state from window to window: ``(reward, state) = f(record, target,
#: state)``.
STATEFUL_REWARDS = frozenset({"classify_reward"})


def lookup_reward(name: str, kwargs: Optional[Mapping[str, Any]] = None):
    """``(function, options)`` of the reward called ``name``: see :func:`.coding.lookup`."""
    return lookup(REWARDS, "Reward", name, kwargs)


def reward_steps(name: str, record, target, *, dec_sample_step: int = 1,
                 reward_shape=(1,), **kwargs) -> list:
    """What SPAIC's Reward node writes to ``Output_Reward`` in each step of one run
    (``record`` ``(B, T, N)``): in step ``k`` with ``(k + 1) % dec_sample_step == 0`` the
    reward of steps ``k - dec_sample_step + 1 .. k``, in the other steps
    ``zeros(reward_shape)``.  A list of T arrays (their shapes as SPAIC gives them)."""
    function, options = lookup_reward(name, kwargs)
    r = _window(record, "Reward")
    width = int(dec_sample_step)
    if width < 1:
        raise ModelError(f"dec_sample_step must be a positive number of steps; got "
                         f"{dec_sample_step!r}", where="Reward", symbol="dec_sample_step")
    state, rewards = 0.0, []
    for k in range(r.shape[1]):
        if (k + 1) % width:
            rewards.append(np.zeros(reward_shape))
            continue
        window = r[:, k + 1 - width:k + 1]
        if name.lower() in STATEFUL_REWARDS:
            reward, state = function(window, target, state, **options)
        else:
            reward = function(window, target, **options)
        rewards.append(reward)
    return rewards


# ----------------------------------------------------------------------------- actions
def _actions(record, num: int, single: bool) -> np.ndarray:
    r = _window(record, "Action")
    if single and r.shape[0] != 1:
        raise ModelError(f"this action reads one sample; got a batch of {r.shape[0]} "
                         f"(SPAIC fails on a batch here too)", where="Action",
                         symbol="record")
    return r


def _one_per_neuron(r: np.ndarray, num: int) -> None:
    if r.shape[2] != num:
        raise ModelError(f"the target has {r.shape[2]} neurons for {num} actions; this "
                         f"action needs one neuron per action", where="Action", symbol="num")


def action_pop_rate_action(record, num: int, rng: np.random.Generator, *,
                           pop_size: int = 1) -> int:
    """An action drawn with probability proportional to its population's spikes (over
    the run and the whole batch); uniform when nothing spiked.  The population size is
    ``N / num``, as SPAIC computes it: the ``pop_size`` option is accepted and unused."""
    r = _actions(record, num, single=False)
    if r.shape[2] % num:
        raise ModelError(f"{r.shape[2]} neurons do not split into {num} equal populations",
                         where="Action", symbol="num")
    total = r.sum()
    if total == 0:
        return int(rng.integers(num))
    pops = r.reshape(r.shape[0], r.shape[1], num, -1).sum(axis=(0, 1, 3))
    return int(rng.choice(num, p=pops / total))


def action_softmax_action(record, num: int, rng: np.random.Generator) -> int:
    """SPAIC takes the softmax of the spike counts over the BATCH axis (dim 0) and draws
    from it: for its one sample every action gets probability 1, so the action is
    uniformly random whatever the spikes.  Followed."""
    r = _actions(record, num, single=True)
    _one_per_neuron(r, num)
    counts = r.sum(axis=1)
    p = np.exp(counts - counts.max(axis=0))
    p = (p / p.sum(axis=0))[0]
    return int(rng.choice(num, p=p / p.sum()))


def action_highest_spikes_action(record, num: int, rng: np.random.Generator) -> int:
    """The neuron with the most spikes; the lowest index on a tie, and 0 when nothing
    spiked (SPAIC's "random" fallback draws from [0, 1)): deterministic."""
    r = _actions(record, num, single=True)
    _one_per_neuron(r, num)
    return int(np.argmax(r[0].sum(axis=0)))


def epsilon_threshold(steps_done: int) -> float:
    """SPAIC's exploration probability ``0.05 + 0.85 * exp(-steps_done / 200)``."""
    return 0.05 + (0.9 - 0.05) * math.exp(-steps_done / 200.0)


def action_highest_voltage_action(record, num: int, rng: np.random.Generator,
                                  steps_done: int = 0, *, seed: int = 1) -> int:
    """Epsilon-greedy on the last step's voltage of the first sample.  SPAIC reseeds
    Python's ``random`` with ``seed`` at every call, so its draw is the same number each
    time (0.134... for seed 1): the choice is random while that draw is at most
    :func:`epsilon_threshold` of ``steps_done`` (for seed 1: steps_done 0 to 462) and
    greedy after.  ``steps_done`` is SPAIC's class-wide counter, advanced by one after
    each call on a batch of one: the caller keeps it."""
    r = _actions(record, num, single=False)
    _one_per_neuron(r, num)
    if random.Random(seed).random() > epsilon_threshold(steps_done):
        return int(np.argmax(r[0, -1]))
    return int(rng.integers(num))


def action_first_spike_action(record, num: int, rng: np.random.Generator) -> int:
    """The neuron of the first spike (earliest step, then lowest index); 0 when nothing
    spiked."""
    r = _actions(record, num, single=True)
    _one_per_neuron(r, num)
    steps, neurons = np.nonzero(r[0])
    return int(neurons[0]) if neurons.size else 0


def action_random_action(record, num: int, rng: np.random.Generator) -> int:
    """A uniformly random action."""
    return int(rng.integers(num))


ACTIONS: dict[str, Coding] = {
    "pop_rate_action": Coding(action_pop_rate_action),
    "softmax_action": Coding(action_softmax_action),
    "highest_spikes_action": Coding(action_highest_spikes_action),
    "highest_voltage_action": Coding(action_highest_voltage_action),
    "first_spike_action": Coding(action_first_spike_action),
    "random_action": Coding(action_random_action),
}


def lookup_action(name: str, kwargs: Optional[Mapping[str, Any]] = None):
    """``(function, options)`` of the action called ``name``: see :func:`.coding.lookup`."""
    return lookup(ACTIONS, "Action", name, kwargs)
