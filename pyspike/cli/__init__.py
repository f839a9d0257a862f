"""The command line: ``pyspike <command> ...`` (also ``python -m pyspike``).

Each command is a module of this package with ``NAME``, ``HELP``, ``add_arguments(parser)``
and ``main(args) -> int``; adding one is one module and one line in :data:`COMMANDS`.
Whatever fails, a command ends with a non-zero exit status and one sentence on stderr
(``--debug`` adds the traceback): 2 for a command line that cannot be read, 1 for any
other failure, 130 for Ctrl-C.

>>> main(["--version"])                  # doctest: +ELLIPSIS
pyspike ...
0
"""
from __future__ import annotations

import argparse
import sys
import traceback
from typing import List, Optional

from . import cache, export, info, run, sweep
from .common import CommandLineError, sentence

#: The commands, in the order ``pyspike --help`` lists them.
COMMANDS = (run, sweep, export, info, cache)


class _Parser(argparse.ArgumentParser):
    """argparse, reporting a bad command line as one sentence (not usage text and exit)."""

    def error(self, message: str):
        raise CommandLineError(f"{message} (see {self.prog} --help)")


def parser() -> argparse.ArgumentParser:
    """The parser of every command."""
    top = _Parser(prog="pyspike", description="pyspike: spiking networks from equations to "
                  "compiled kernels, on the command line.")
    top.add_argument("--version", action="version", version=f"pyspike {info.version()}")
    commands = top.add_subparsers(dest="command", metavar="command", parser_class=_Parser)
    commands.required = True
    for module in COMMANDS:
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(sub)
        sub.add_argument("--debug", action="store_true",
                         help="show the traceback of a failure")
        sub.set_defaults(handler=module.main)
    return top


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line ``argv`` (default: the process's); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser().parse_args(argv)
    except CommandLineError as err:
        print(f"pyspike: {err}", file=sys.stderr)
        return 2
    except SystemExit as end:            # --help and --version
        return end.code if isinstance(end.code, int) else 0
    name = f"pyspike {args.command}"
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt as stop:
        print(f"{name}: {stop or 'interrupted'}", file=sys.stderr)
        return 130
    except BaseException as err:         # noqa: BLE001 -- every failure is one sentence
        if isinstance(err, SystemExit):
            raise
        if args.debug:
            traceback.print_exc()
        print(f"{name}: {sentence(err)}", file=sys.stderr)
        return 2 if isinstance(err, CommandLineError) else 1
