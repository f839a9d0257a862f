"""``pyspike run model.py --duration 1s ...``: run a model file and write its results.

The model file defines ``build(**network)``, which makes the network with the ``Network``
arguments the command line chose (``seed``, ``backend``, ``threads``: only those given)
and returns it (:mod:`pyspike.model_file`).  ``--set exc.tau_m=12.5`` then changes a
parameter (parameters are run-time data: nothing is compiled again).  The run's monitors
go to ``--out`` (HDF5, SONATA's layout: :func:`pyspike.save_results`) as the run goes
(:class:`pyspike.ResultsStream`: memory stays bounded); with checkpoints the file is
written in parts, one per checkpoint interval, joined at the end, so that a checkpoint holds
no recordings and a resumed run writes on from the checkpoint's part.

With ``--checkpoint ck.npz --checkpoint-every 10s`` the state is written to ``ck.npz``
(atomically) every 10 s of model time, at the end, and when the run is stopped (Ctrl-C, or
SIGTERM from a batch scheduler ending the job); the same command with
``--resume`` continues from the checkpoint, if there is one (a job script can always
give it), with results bit-identical to a run that was never interrupted.  A longer
``--duration`` with ``--resume`` continues a finished run.

Under ``mpirun -n R``, ``--partition`` splits the network over the R ranks
(``build(partition=True)``: :mod:`pyspike.partition`); rank 0 writes ``--out`` and the
messages, with the spikes of a run in one process.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import time

from .. import checkpoint, model_file, mpi
from ..backends import BACKENDS
from ..network import Network
from ..results_stream import ResultsStream, part_path
from ..results_write import monitors_of
from .common import CommandLineError, Progress, parse_duration, show_ms, whole_argument

NAME = "run"
HELP = "run a model file (a Python file defining build(**network) -> Network)"
#: Wall time of one piece of a run between two progress updates (seconds).
PIECE_S = 1.0
#: Steps of the first piece, before the speed is known.
FIRST_PIECE = 100


def duration_argument(text: str) -> float:
    try:
        return parse_duration(text)
    except CommandLineError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def positive_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number >= 1")
    return value


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="the model file (Python, defining build(**network))")
    p.add_argument("--duration", type=duration_argument, required=True,
                   help="model time to run: 1s, 500ms, 2min (a number alone is in ms)")
    p.add_argument("--out", help="the results file to write (HDF5, SONATA's layout)")
    p.add_argument("--checkpoint", metavar="PATH", help="the checkpoint file")
    p.add_argument("--checkpoint-every", type=duration_argument, metavar="DURATION",
                   help="write the checkpoint every so much model time (and at the end)")
    p.add_argument("--resume", action="store_true",
                   help="continue from --checkpoint where it exists")
    p.add_argument("--partition", action="store_true",
                   help="split the network over the ranks of mpirun (rank 0 writes --out)")
    add_network_arguments(p)


def add_network_arguments(p: argparse.ArgumentParser) -> None:
    """The options run and sweep share: what build() receives, --set and --quiet."""
    p.add_argument("--backend", choices=sorted(BACKENDS), help="passed to build()")
    p.add_argument("--threads", type=positive_argument, help="CPU threads, passed to build()")
    p.add_argument("--seed", type=whole_argument, help="the random seed, passed to build()")
    p.add_argument("--set", action="append", default=[], metavar="GROUP.PARAM=VALUE",
                   help="give a parameter (or a variable) of a group or synapses one "
                   "value (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress and no messages")


def main(args: argparse.Namespace) -> int:
    _check_command_line(args)
    rank = _rank(args)
    progress = Progress("pyspike run", args.quiet or rank > 0)
    network_args = {k: getattr(args, k) for k in ("seed", "backend", "threads")
                    if getattr(args, k) is not None}
    if args.partition:
        network_args["partition"] = True
    net = model_file.build(model_file.load(args.model), network_args, args.set, Network)
    net.progress = False                      # (the command shows its own)
    end = steps_of(args.duration, net.dt, "--duration")
    every = None
    if args.checkpoint_every is not None:
        every = steps_of(args.checkpoint_every, net.dt, "--checkpoint-every")
    parts = None if not args.checkpoint else 0     # (with checkpoints: a stream in parts)
    if args.resume:
        if os.path.exists(args.checkpoint):
            parts = _resumed_parts(checkpoint.resume(net, args.checkpoint), args)
            progress.say(f"resumed from {args.checkpoint} at t = {show_ms(net.t)}")
        else:
            progress.say(f"no checkpoint {args.checkpoint} yet: starting at t = 0")
    if net.step > end:
        raise CommandLineError(f"the checkpoint {args.checkpoint} is at t = {show_ms(net.t)}, "
                               f"past --duration {show_ms(args.duration)}")
    if args.out and not monitors_of(net, "--out"):
        raise CommandLineError(f"--out {args.out}: the network has no SpikeMonitor, "
                               "EventMonitor or StateMonitor whose recordings it would hold")
    built = net.build()
    progress.say(f"compiled the model ({built.generate_s + built.compile_s:.1f} s)"
                 if built.compiled else "found the compiled model in the cache"
                 if built.library else f"built the model ({built.generate_s:.1f} s)")
    t0 = time.perf_counter()
    stream = ResultsStream(net, args.out, parts=parts, keep=rank == 0) if args.out else None
    save = _checkpointer(net, args, stream)
    try:
        with _terminate_as_interrupt():
            _advance(net, end, every, save, progress)
    except KeyboardInterrupt as stop:
        if stream is None or stream.parts is not None:
            raise
        stream.close()
        raise KeyboardInterrupt(f"{stop}; {args.out} holds the results until then") from None
    except BaseException:
        if stream is not None and stream.parts is None:
            stream.close()             # (the results until the failure)
        raise
    progress.say(f"t = {show_ms(net.t)} reached in {time.perf_counter() - t0:.1f} s")
    if args.checkpoint:
        save(final=True)                # (before the parts are joined: see _resumed_parts)
    if stream is not None:
        stream.close()
        progress.say(f"results written to {args.out}")
    return 0


def _checkpointer(net, args: argparse.Namespace, stream):
    """The function that writes the run's checkpoint, with where its results stand: the
    parts of --out written so far (cut here), or, at the end, all of them."""
    def save(final: bool = False) -> None:
        results = None
        if stream is not None:
            results = {"out": os.path.abspath(args.out), "parts": stream.cut(),
                       "final": final}
        checkpoint.write(net, args.checkpoint, results=results)
    return save if args.checkpoint else None


def _resumed_parts(results, args: argparse.Namespace) -> int:
    """The parts of --out that the checkpoint's run wrote (0: none, the monitors' own
    recordings are in the checkpoint)."""
    if results is None:
        return 0
    out = results.get("out")
    if not args.out or os.path.abspath(args.out) != out:
        raise CommandLineError(f"the run of the checkpoint {args.checkpoint} wrote its results "
                               f"to {out}: give --out {out} to continue them")
    parts = results.get("parts")
    if not isinstance(parts, int) or parts < 0:
        raise CommandLineError(f"the checkpoint {args.checkpoint} is damaged (its results "
                               "record is not readable)")
    if results.get("final") and os.path.isfile(out):
        # a finished run, continued: its joined file is the first part of this one
        for k in range(parts):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(part_path(out, k))
        os.replace(out, part_path(out, 0))
        return 1
    return parts


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a batch scheduler ending the job) stops the run as Ctrl-C does: at the end
    of the current piece, with the state at the last completed step.  Ctrl-C is heard also
    where the process was started with SIGINT ignored (a background job of a script)."""
    def on_term(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)     # (once: the checkpoint follows)
        signal.getsignal(signal.SIGINT)(signal.SIGINT, frame)

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except ValueError:                                     # not the main thread
        yield
        return
    interrupt = signal.getsignal(signal.SIGINT)
    if not callable(interrupt):
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, interrupt)


def _rank(args: argparse.Namespace) -> int:
    """This process's rank among those of mpirun (0 without MPI or --partition)."""
    comm = mpi.communicator() if args.partition else None
    return 0 if comm is None else int(comm.Get_rank())


def _check_command_line(args: argparse.Namespace) -> None:
    """What the command line asks for can be done: said before anything is built or run."""
    ranks = mpi.launched(os.environ)
    if ranks is not None and ranks > 1 and not args.partition:
        raise CommandLineError(f"pyspike run was started as {ranks} MPI ranks, which would "
                               "each run the whole network and write the same files: give "
                               "--partition to split the network over the ranks, run it as "
                               "one process, or use pyspike sweep to share many runs among "
                               "ranks")
    if args.partition and (args.checkpoint or args.resume):
        raise CommandLineError("--partition runs without checkpoints: a network split over "
                               "MPI ranks cannot be written to one yet")
    if (args.checkpoint_every is not None or args.resume) and not args.checkpoint:
        flag = "--resume" if args.resume else "--checkpoint-every"
        raise CommandLineError(f"{flag} needs --checkpoint PATH, the checkpoint file")
    for flag, path in (("--out", args.out), ("--checkpoint", args.checkpoint)):
        if path:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise CommandLineError(f"the folder {folder} of {flag} does not exist")
            if not os.access(folder, os.W_OK):
                raise CommandLineError(f"the folder {folder} of {flag} cannot be written")
    if args.out:
        try:
            import h5py  # noqa: F401
        except ImportError:
            raise CommandLineError("--out writes HDF5 with h5py, which is not installed "
                                   "(pip install h5py)") from None


def steps_of(ms: float, dt: float, flag: str) -> int:
    n = int(round(ms / dt))
    if abs(n * dt - ms) > 1e-6 * max(1.0, abs(ms)):
        raise CommandLineError(f"{flag} {show_ms(ms)} is not a whole number of time steps "
                               f"of dt = {dt:g} ms")
    if n < 1 and flag != "--duration":
        raise CommandLineError(f"{flag} must be at least one time step ({dt:g} ms)")
    return n


def _advance(net, end: int, every, save, progress: Progress) -> None:
    """Run to step ``end`` in pieces of about PIECE_S (a run in pieces computes what a
    run in one piece does), writing the checkpoint at every multiple of ``every``."""
    progress.start(end, net.step, scale=net.dt)
    seconds_per_step, last = None, FIRST_PIECE
    try:
        while net.step < end:
            target = end if not every else min(end, (net.step // every + 1) * every)
            if seconds_per_step is not None:
                last = max(1, min(int(PIECE_S / seconds_per_step), 16 * last))
            steps = min(target - net.step, last)
            if net.partition:            # (pieces timed by each rank's clock: the same)
                steps = net.ranks.agree(steps)
            before, t0 = net.step, time.perf_counter()
            net.run(steps * net.dt)
            if net.step < before + steps:         # ps.stop() in the model
                progress.say(f"the model stopped the run at t = {show_ms(net.t)}")
                break
            seconds_per_step = max(time.perf_counter() - t0, 1e-9) / steps
            progress.update(net.step)
            if every and net.step % every == 0 and net.step < end:
                save()
                progress.say(f"checkpoint at t = {show_ms(net.t)} written")
    except KeyboardInterrupt:
        progress.close()
        if save is None:
            raise KeyboardInterrupt(f"stopped at t = {show_ms(net.t)}") from None
        save()
        raise KeyboardInterrupt(f"stopped at t = {show_ms(net.t)}, which the checkpoint "
                                "holds: the same command with --resume continues") from None
    finally:
        progress.close()
