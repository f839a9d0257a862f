"""Runs one Brian2 peer of an examples/brian2/ port and prints one JSON line.

    <peer venv python> bench/brian2_peer/_runner.py NAME [--seed S]
                       [--target cython|cpp_standalone] [--quick] [--build-dir DIR]

Run it with the python of the peer venv (bench/peers/setup.sh), never pyspike's. It
imports brian2, selects the target, loads bench/brian2_peer/NAME.py, calls its
``main(quick, seed)`` once and prints, as the last line of stdout,
``{"example", "target", "seed", "quick", "wall_s", "wall_measure", "brian2", "results"}``.

Targets: ``cython`` is Brian2's runtime mode with prefs.codegen.target = "cython" (the
compiled extensions are cached in ~/.cython/brian_extensions). ``cpp_standalone`` builds a
project in ``--build-dir`` (default ~/.cache/pyspike-bench-brian2/NAME-quick|full, kept
between runs so that make recompiles only the files whose text changed), one thread, no
OpenMP. Standalone is set with build_on_run=False and the project is built and run the
first time main() reads a result, so a peer may call run() several times and change values
in between; a run() after that first read, and a network_operation, make the run fail
(standalone would quietly give other numbers: it builds once and never calls Python).

``wall_s`` is the whole main() call: building the network objects, code generation,
compilation of what the caches do not hold, the simulation, and reading the results back.
brian2 is imported before the clock starts (as pyspike is on pyspike's side).
bench/brian2_examples.py runs every case twice and reports the second run, whose caches
the first has filled. Results: every number the peer returns, and the arrays or lists its
COMPARE names (as lists); nan is written as JSON's NaN (Python reads it back).
"""
import argparse
import importlib.util
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = ("cython", "cpp_standalone")
WALL_MEASURE = ("main() wall clock (perf_counter): network construction, code generation, "
                "compilation not held by the caches, simulation, reading the results; "
                "brian2 imported before")


def load_peer(name: str):
    """The module of bench/brian2_peer/<name>.py (peers are scripts, not a package)."""
    path = os.path.join(HERE, f"{name}.py")
    if not os.path.exists(path):
        raise SystemExit(f"no Brian2 peer {path}")
    spec = importlib.util.spec_from_file_location(f"brian2_peer_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(value):
    """A JSON-able Python value (numbers, booleans, lists); None where it is not one."""
    try:
        import numpy as np
    except ImportError:                                    # pragma: no cover
        np = None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, str)):
        return value
    if np is not None and isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return None


def scalar_results(results: dict, compare: dict) -> dict:
    """The peer's numbers: every scalar, and the arrays its COMPARE names."""
    out = {}
    for key, value in results.items():
        value = plain(value)
        if isinstance(value, list) and key not in compare:
            continue
        if value is not None:
            out[key] = value
    return out


def _standalone(build_dir: str) -> None:
    """cpp_standalone with one thread; built and run on the first read of a result."""
    from brian2 import NetworkOperation, prefs, set_device
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0
    ran = [False]

    def ensure_built(dev):
        # build once, after main() has queued all its runs and reads its first result
        if not dev.has_been_run and not ran[0] and any(
                item[0] == "run_network" for item in dev.main_queue):
            ran[0] = True
            dev.build(directory=build_dir, compile=True, run=True, with_output=False)

    get_value = CPPStandaloneDevice.get_value
    get_sub = CPPStandaloneDevice.variableview_get_subexpression_with_index_array

    def get_value_built(self, var, access_data=True):
        if self.array_cache.get(var, None) is None:
            ensure_built(self)
        return get_value(self, var, access_data)

    def get_sub_built(self, variableview, item, run_namespace=None):
        ensure_built(self)
        return get_sub(self, variableview, item, run_namespace=run_namespace)

    network_run = CPPStandaloneDevice.network_run

    def network_run_checked(self, net, duration, *args, **kwds):
        # what standalone cannot do must fail here, not give other numbers quietly
        if ran[0]:
            raise RuntimeError("run() after reading a result: C++ standalone builds and runs "
                               "the project once (the peer reads between its runs)")
        if any(isinstance(obj, NetworkOperation) for obj in net.objects):
            raise RuntimeError("a network_operation (Python called during the run) is never "
                               "called by C++ standalone")
        kwds["level"] = kwds.get("level", 0) + 1           # this frame, for the namespace
        return network_run(self, net, duration, *args, **kwds)

    CPPStandaloneDevice.network_run = network_run_checked
    CPPStandaloneDevice.get_value = get_value_built
    CPPStandaloneDevice.variableview_get_subexpression_with_index_array = get_sub_built


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", help="a peer's file stem, e.g. IF_curve_LIF")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target", choices=TARGETS, default="cython")
    ap.add_argument("--quick", action="store_true", help="the port's quick scale")
    ap.add_argument("--build-dir", default=None,
                    help="standalone project folder (kept between runs)")
    args = ap.parse_args()

    import brian2
    from brian2 import prefs
    prefs.logging.console_log_level = "ERROR"             # keep Brian2's INFO off stdout
    peer = load_peer(args.name)
    if args.target == "cpp_standalone":
        scale = "quick" if args.quick else "full"
        build_dir = args.build_dir or os.path.join(
            os.path.expanduser("~"), ".cache", "pyspike-bench-brian2", f"{args.name}-{scale}")
        _standalone(os.path.abspath(build_dir))
    else:
        prefs.codegen.target = "cython"

    t0 = time.perf_counter()
    results = peer.main(quick=args.quick, seed=args.seed)
    wall = time.perf_counter() - t0
    out = {"example": args.name, "target": args.target, "seed": args.seed,
           "quick": args.quick, "wall_s": wall, "wall_measure": WALL_MEASURE,
           "brian2": brian2.__version__,
           "results": scalar_results(results, getattr(peer, "COMPARE", {}))}
    sys.stdout.flush()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
