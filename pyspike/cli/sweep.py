"""``pyspike sweep model.py --duration 1s --grid exc.tau=10,20,30 --grid seed=1:10 --out
results/``: every point of a grid, as the instances of batched networks compiled once
(:mod:`pyspike.sweep`); started again with the same command, it runs only what is
missing.
"""
from __future__ import annotations

import argparse
import time

from .. import model_file, sweep
from ..network import Network
from ..results import save_results
from ..results_write import monitors_of
from . import run
from .common import CommandLineError, Progress

NAME = "sweep"
HELP = "run a model file over a grid of parameter values, compiled once"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="the model file (Python, defining build(**network))")
    p.add_argument("--duration", type=run.duration_argument, required=True,
                   help="model time each point runs: 1s, 500ms (a number alone is in ms)")
    p.add_argument("--grid", action="append", required=True, metavar="NAME=VALUES",
                   help="an axis of the grid: exc.tau=10,20,30 or seed=1:10 (repeatable)")
    p.add_argument("--out", required=True, metavar="FOLDER",
                   help="the folder of the results (one HDF5 file per network)")
    p.add_argument("--max-batch", type=run.positive_argument, metavar="K",
                   help="at most K points per network (default: all points of a seed)")
    run.add_network_arguments(p)


def main(args: argparse.Namespace) -> int:
    progress = Progress("pyspike sweep", args.quiet)
    run.check_threads(args)
    axes = [sweep.parse_axis(text) for text in args.grid]
    if args.seed is not None and any(a.name == "seed" for a in axes):
        raise CommandLineError("give the seeds with --seed or with --grid seed=..., not both")
    grid = sweep.points(axes)
    model = model_file.load(args.model)
    network_args = {k: getattr(args, k) for k in ("seed", "backend", "threads")
                    if getattr(args, k) is not None}
    wanted = sweep.index(model, args.duration, axes, args.set, network_args, args.max_batch)
    batches = sweep.found_batches(args.out, wanted)
    probe = None
    if batches is None:                      # a new sweep: how many points fit one network
        batches = sweep.plan(grid, args.max_batch)
        probe = _network(model, network_args, args.set, grid, batches[0])
        fit = sweep.fitting(probe, sweep.available_memory())
        if fit < len(batches[0]):
            progress.say(f"{len(batches[0])} instances would fill more than half the memory "
                         f"available: {fit} per network")
            batches, probe = sweep.plan(grid, fit), None
        sweep.write_index(args.out, wanted, batches)
    K = len(batches[0])
    if args.seed is None and not any(a.name == "seed" for a in axes):
        progress.say("no --seed and no seed axis: the points draw random seeds of their own "
                     "(give --seed S for results that can be reproduced)")
    todo = [n for n in range(len(batches)) if not sweep.done(args.out, n)]
    progress.say(f"{len(grid)} points in {len(batches)} networks of {K} instances; "
                 f"{len(batches) - len(todo)} done already, {len(todo)} to run")
    compiled = 0
    for count, n in enumerate(todo, 1):
        t0 = time.perf_counter()
        points = batches[n]
        net = probe if n == 0 and probe is not None else \
            _network(model, network_args, args.set, grid, points)
        net.progress = False
        steps = run.steps_of(args.duration, net.dt, "--duration")
        compiled += net.build().compiled
        net.run(steps * net.dt)
        save_results(net, f"{args.out}/{sweep.batch_file(n)}")
        names = ", ".join(map(str, sorted(set(points))))
        progress.say(f"network {count} of {len(todo)} (points {names}) done in "
                     f"{time.perf_counter() - t0:.1f} s")
    progress.say(f"all {len(grid)} points are in {args.out}; the compiler ran {compiled} "
                 f"time{'s' if compiled != 1 else ''}")
    return 0


def _network(model, network_args: dict, settings, grid, points):
    """The network of the sweep's ``points``, each parameter axis set per instance."""
    K = len(points)
    seed = grid[points[0]].get("seed", network_args.get("seed"))
    net = model_file.build(model, dict(network_args, batch=K,
                                       **({} if seed is None else {"seed": [seed] * K})),
                           settings, Network)
    sweep.set_per_instance(net, grid, points)
    if not monitors_of(net, "--out"):
        raise CommandLineError("the network has no SpikeMonitor, EventMonitor or "
                               "StateMonitor: a sweep would record nothing")
    return net
