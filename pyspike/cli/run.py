"""``pyspike run model.py --duration 1s ...``: run a model file and write its results.

The model file defines ``build(**network)``, which makes the network with the ``Network``
arguments the command line chose (``seed``, ``backend``, ``threads``: only those given)
and returns it (:mod:`pyspike.model_file`).  ``--set exc.tau_m=12.5`` then changes a
parameter (parameters are run-time data: nothing is compiled again).  The run's monitors
go to ``--out`` (HDF5, SONATA's layout: :func:`pyspike.save_results`), as the run goes
(:class:`pyspike.ResultsStream`: memory stays bounded) unless there are checkpoints, which
hold the recordings since t = 0.

With ``--checkpoint ck.npz --checkpoint-every 10s`` the state is written to ``ck.npz``
(atomically) every 10 s of model time, at the end, and when the run is stopped (Ctrl-C, or
SIGTERM from a batch scheduler ending the job); the same command with
``--resume`` continues from the checkpoint, if there is one (a job script can always
give it), with results bit-identical to a run that was never interrupted.  A longer
``--duration`` with ``--resume`` continues a finished run.
"""
from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import signal
import time

from .. import checkpoint, model_file
from ..backends import BACKENDS
from ..network import Network
from ..results import save_results
from ..results_stream import ResultsStream
from ..results_write import monitors_of
from .common import CommandLineError, Progress, parse_duration, show_ms

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


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None


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
    add_network_arguments(p)


def add_network_arguments(p: argparse.ArgumentParser) -> None:
    """The options run and sweep share: what build() receives, --set and --quiet."""
    p.add_argument("--backend", choices=sorted(BACKENDS), help="passed to build()")
    p.add_argument("--threads", type=positive_argument, help="CPU threads, passed to build()")
    p.add_argument("--seed", type=_whole, help="the random seed, passed to build()")
    p.add_argument("--set", action="append", default=[], metavar="GROUP.PARAM=VALUE",
                   help="give a parameter (or a variable) of a group or synapses one "
                   "value (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no progress and no messages")


def main(args: argparse.Namespace) -> int:
    progress = Progress("pyspike run", args.quiet)
    _check_command_line(args)
    network_args = {k: getattr(args, k) for k in ("seed", "backend", "threads")
                    if getattr(args, k) is not None}
    net = model_file.build(model_file.load(args.model), network_args, args.set, Network)
    net.progress = False                      # (the command shows its own)
    end = steps_of(args.duration, net.dt, "--duration")
    every = None
    if args.checkpoint_every is not None:
        every = steps_of(args.checkpoint_every, net.dt, "--checkpoint-every")
    if args.resume:
        if os.path.exists(args.checkpoint):
            checkpoint.resume(net, args.checkpoint)
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
    # without checkpoints, the results go to the file as the run goes (memory bounded);
    # a checkpoint holds the monitors' recordings since t = 0 instead
    stream = ResultsStream(net, args.out) if args.out and not args.checkpoint else None
    try:
        with _terminate_as_interrupt():
            _advance(net, end, every, args.checkpoint, progress)
    except KeyboardInterrupt as stop:
        if stream is None:
            raise
        stream.close()
        raise KeyboardInterrupt(f"{stop}; {args.out} holds the results until then") from None
    finally:
        if stream is not None:
            stream.close()
    progress.say(f"t = {show_ms(net.t)} reached in {time.perf_counter() - t0:.1f} s")
    if args.checkpoint:
        net.checkpoint(args.checkpoint)
    if args.out and stream is None:
        save_results(net, args.out)
    if args.out:
        progress.say(f"results written to {args.out}")
    return 0


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


def _check_command_line(args: argparse.Namespace) -> None:
    """What the command line asks for can be done: said before anything is built or run."""
    check_threads(args)
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


def check_threads(args: argparse.Namespace) -> None:
    if args.threads is not None and "threads" not in inspect.signature(Network).parameters:
        raise CommandLineError("--threads is not available: this version of pyspike runs a "
                               "network on one thread (Network takes no threads=)")


def steps_of(ms: float, dt: float, flag: str) -> int:
    n = int(round(ms / dt))
    if abs(n * dt - ms) > 1e-6 * max(1.0, abs(ms)):
        raise CommandLineError(f"{flag} {show_ms(ms)} is not a whole number of time steps "
                               f"of dt = {dt:g} ms")
    if n < 1 and flag != "--duration":
        raise CommandLineError(f"{flag} must be at least one time step ({dt:g} ms)")
    return n


def _advance(net, end: int, every, path, progress: Progress) -> None:
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
            before, t0 = net.step, time.perf_counter()
            net.run(steps * net.dt)
            if net.step < before + steps:         # ps.stop() in the model
                progress.say(f"the model stopped the run at t = {show_ms(net.t)}")
                break
            seconds_per_step = max(time.perf_counter() - t0, 1e-9) / steps
            progress.update(net.step)
            if every and net.step % every == 0 and net.step < end:
                net.checkpoint(path)
                progress.say(f"checkpoint at t = {show_ms(net.t)} written to {path}")
    except KeyboardInterrupt:
        progress.close()
        if not path:
            raise KeyboardInterrupt(f"stopped at t = {show_ms(net.t)}") from None
        net.checkpoint(path)
        raise KeyboardInterrupt(f"stopped at t = {show_ms(net.t)}, which the checkpoint {path} "
                                "holds: the same command with --resume continues") from None
    finally:
        progress.close()
