"""``pyspike sweep model.py --duration 1s --grid exc.tau=10,20,30 --grid seed=1:10 --out
results/``: every point of a grid, as the instances of batched networks compiled once
(:mod:`pyspike.sweep`); started again with the same command, it runs only what is
missing.

Started by an MPI launcher with several ranks (``mpirun -n 4 pyspike sweep ...``;
:mod:`pyspike.mpi`), rank 0 plans the sweep (or reads its folder), writes ``sweep.json``
and builds the first network still to run, compiling the sweep's code into the cache,
while the others wait; then rank r runs the networks r, r + R, r + 2R, ... of those still
to run, each writing its own results files.  Ranks that fail keep their failure until
every rank is done (a rank stops at its first): then rank 0 says the first in one
sentence and every rank exits with status 1.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from typing import Optional

from .. import model_file, mpi, sweep
from ..network import Network
from ..results import save_results
from ..results_write import monitors_of
from . import run
from .common import CommandLineError, Progress, sentence

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
    ranks = mpi.world()
    progress = Progress("pyspike sweep" if ranks.size == 1 else
                        f"pyspike sweep (rank {ranks.rank} of {ranks.size})", args.quiet)
    if ranks.size > 1:             # mpirun gives ranks a terminal, its log is one anyway
        progress.terminal = False
    here: dict = {}                # rank 0: the sweep, and its first network (compiled)
    try:
        plan = ranks.first(lambda: _prepare(args, progress, ranks.size, here))
    except mpi.Failed:             # rank 0 said why
        return 1
    compiled, n, failure = here.get("compiled", 0), None, None
    mine = ranks.mine(plan["todo"])
    try:
        model, grid, network_args = here.get("sweep") or _sweep_of(args, plan["sha256"])
        for count, n in enumerate(mine, 1):
            t0 = time.perf_counter()
            points = plan["batches"][n]
            net = here.pop("net", None) or _network(model, network_args, args.set, grid,
                                                    points)
            net.progress = False
            steps = run.steps_of(args.duration, net.dt, "--duration")
            compiled += net.build().compiled
            net.run(steps * net.dt)
            save_results(net, f"{args.out}/{sweep.batch_file(n)}")
            names = ", ".join(map(str, sorted(set(points))))
            progress.say(f"network {count} of {len(mine)} (points {names}) done in "
                         f"{time.perf_counter() - t0:.1f} s")
    except Exception as err:       # noqa: BLE001 -- told to every rank below
        if ranks.size == 1:
            raise
        if args.debug:
            traceback.print_exc()
        failure = (n, ranks.rank, sentence(err))
    failures = [f for f in ranks.gather(failure) if f is not None]
    compiled = ranks.total(compiled)
    if failures:                   # (several ranks only)
        if ranks.rank == 0:
            n, rank, text = failures[0]
            where = "" if n is None else f"network {n} (points " \
                f"{', '.join(map(str, sorted(set(plan['batches'][n]))))}) "
            more = f" ({len(failures) - 1} other ranks failed too)" if len(failures) > 1 else ""
            print(f"pyspike sweep: {where}failed on rank {rank} of {ranks.size}: {text}{more}; "
                  f"the networks that finished are in {args.out}, and the same command runs "
                  "the rest", file=sys.stderr, flush=True)
        return 1
    if ranks.rank == 0:
        progress.say(f"all {len(plan['grid'])} points are in {args.out}; the compiler ran "
                     f"{compiled} time{'s' if compiled != 1 else ''}")
    return 0


def _sweep_of(args: argparse.Namespace, sha256: Optional[str] = None):
    """The model file, the grid's points and the Network arguments of the command line
    (``sha256``: the model file rank 0 read, which every rank must read too)."""
    axes = [sweep.parse_axis(text) for text in args.grid]
    if args.seed is not None and any(a.name == "seed" for a in axes):
        raise CommandLineError("give the seeds with --seed or with --grid seed=..., not both")
    model = model_file.load(args.model)
    if sha256 is not None and model.sha256 != sha256:
        raise CommandLineError(f"the model file {args.model} differs from the one rank 0 "
                               "read: the ranks must see the same file")
    network_args = {k: getattr(args, k) for k in ("seed", "backend", "threads")
                    if getattr(args, k) is not None}
    return model, sweep.points(axes), network_args


def _prepare(args: argparse.Namespace, progress: Progress, size: int, here: dict) -> dict:
    """Rank 0's part before the ranks split the work: the plan of the sweep (from its
    folder where it has started already; else new, and its ``sweep.json`` written), which
    networks are still to run, and the first of them built (compiled into the cache, for
    every other rank to load).  ``here`` keeps what stays on rank 0."""
    model, grid, network_args = here["sweep"] = _sweep_of(args)
    axes = [sweep.parse_axis(text) for text in args.grid]
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
    if args.seed is None and not any(a.name == "seed" for a in axes):
        progress.say("no --seed and no seed axis: the points draw random seeds of their own "
                     "(give --seed S for results that can be reproduced)")
    todo = [n for n in range(len(batches)) if not sweep.done(args.out, n)]
    progress.say(f"{len(grid)} points in {len(batches)} networks of {len(batches[0])} "
                 f"instances; {len(batches) - len(todo)} done already, {len(todo)} to run"
                 + (f", on {size} ranks" if size > 1 else ""))
    if todo:                                 # compiled once, before the others build
        net = probe if todo[0] == 0 and probe is not None else \
            _network(model, network_args, args.set, grid, batches[todo[0]])
        here["compiled"] = int(net.build().compiled)
        here["net"] = net
    return {"batches": batches, "todo": todo, "grid": grid, "sha256": model.sha256}


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
