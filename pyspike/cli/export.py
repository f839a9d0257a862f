"""``pyspike export model.py --out folder/``: a model file's network as a standalone program.

The network ``build()`` makes (with ``--seed``, and ``--set`` applied, as ``pyspike run``
does) is written as a CMake project (:mod:`pyspike.export`): built with ``cmake -B build
&& cmake --build build``, ``./build/<name> --duration 1000 --out run.h5`` runs it with no
Python, and gives the in-process run's results for the same seed.
"""
from __future__ import annotations

import argparse

from .. import model_file
from ..network import Network
from .common import Progress, whole_argument

NAME = "export"
HELP = "write a model file's network as a standalone C++ (or CUDA) program with CMake"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="the model file (Python, defining build(**network))")
    p.add_argument("--out", required=True, metavar="FOLDER",
                   help="the folder of the CMake project (created; an earlier export's "
                   "files there are replaced)")
    p.add_argument("--target", choices=("cpp", "cuda"), default="cpp",
                   help="C++ for the CPU (default) or CUDA for an NVIDIA GPU")
    p.add_argument("--name", default="network", help="the program's name (default: network)")
    p.add_argument("--seed", type=whole_argument, help="the random seed, passed to build() (the "
                   "connectivity and initial values are drawn with it; the program's "
                   "--seed seeds its run)")
    p.add_argument("--set", action="append", default=[], metavar="GROUP.PARAM=VALUE",
                   help="give a parameter (or a variable) of a group or synapses one value "
                   "before the export (repeatable)")
    p.add_argument("--quiet", action="store_true", help="no messages")


def main(args: argparse.Namespace) -> int:
    progress = Progress("pyspike export", args.quiet)
    network_args = {"seed": args.seed} if args.seed is not None else {}
    net = model_file.build(model_file.load(args.model), network_args, args.set, Network)
    folder = net.export(args.out, target=args.target, name=args.name)
    progress.say(f"wrote {folder}: build it with 'cmake -B build && cmake --build build' "
                 f"there, run ./build/{args.name} --duration ... --out results.h5")
    return 0
