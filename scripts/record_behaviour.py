"""Record what pyspike computes, to prove that a refactor changes none of it (issue 13).

    python scripts/record_behaviour.py record [--out FILE]     # with the code before
    python scripts/record_behaviour.py check [--record FILE]   # with the code after

``record`` runs every feature network of tests/cuda/networks.py, the four benchmark
networks of examples/networks.py (down-scaled), a batched and a plastic network, on the
NumPy reference, the C++ backend (float64 and float32) and the CUDA emulator, and writes
their spikes, monitors and final states to one ``.npz`` (no pickle).  ``check`` runs them
again and compares every array bit for bit (NaN equal to NaN), naming each difference.

The numbers depend on the machine (the C++ is built for the processor it runs on, and
NumPy's and libm's functions round differently from one instruction set to another), so a
record holds the identity of the machine it was made on (:func:`machine`), and the default
file is ``tests/records/<identity>.npz``: make the record on the machine that checks it.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import platform
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "tests" / "records"
DURATION = 20.0          # ms of model time per case


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def machine() -> str:
    """What the numbers depend on beyond the code: the processor's model and instruction
    set, the C++ compiler's version, and NumPy's version (a short digest)."""
    try:
        with open("/proc/cpuinfo") as f:
            first = f.read().split("\n\n")[0].splitlines()
        cpu = [line for line in first if line.split(":")[0].strip() in
               ("vendor_id", "model name", "flags", "CPU implementer", "CPU part", "Features")]
    except OSError:
        cpu = [platform.processor()]
    try:
        cxx = subprocess.run(["g++", "--version"], capture_output=True,
                             text=True).stdout.splitlines()[:1]
    except OSError:
        cxx = []
    text = "\n".join(cpu + cxx + [np.__version__, platform.machine()])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_path() -> Path:
    return RECORDS / f"{machine()}.npz"


# --- the cases ----------------------------------------------------------------------------

def cases() -> Dict[str, Callable[[], list]]:
    """name -> a function that builds and runs the case and returns its objects."""
    import pyspike as ps
    networks = _load("record_feature_networks", ROOT / "tests" / "cuda" / "networks.py")
    examples = _load("record_example_networks", ROOT / "examples" / "networks.py")
    out: Dict[str, Callable[[], list]] = {}

    def feature(name, backend, precision="double", batch=None):
        def run():
            net, objects = networks.build(name, backend, precision, batch=batch)
            net.run(DURATION)
            return objects
        return run

    def example(builder, backend, precision="double", **args):
        def run():
            net = ps.Network(dt=0.1, seed=7, backend=backend, precision=precision)
            with net:
                made = builder(net, **args)
                group = next(o for o in made.values() if isinstance(o, ps.NeuronGroup))
                monitors = [ps.SpikeMonitor(group), ps.StateMonitor(group, "v", record=[0, 1])]
            net.run(DURATION)
            return [group] + monitors
        return run

    for name in sorted(networks.NETWORKS):
        out[f"{name}/numpy"] = feature(name, "numpy")
        for precision in ("double", "single"):
            out[f"{name}/cpu/{precision}"] = feature(name, "cpu", precision)
    for name in ("lif_monitors", "generator_delays", "stdp_sparse"):
        out[f"{name}/cuda_emulated"] = feature(name, "cuda_emulated")
    out["lif_monitors/cpu/batch3"] = feature("lif_monitors", "cpu", batch=3)
    out["stdp_sparse/cpu/batch2"] = feature("stdp_sparse", "cpu", batch=2)   # plastic
    for label, builder, args in (("cuba", examples.cuba, {"n": 400}),
                                 ("coba", examples.coba, {"n": 400}),
                                 ("cobahh", examples.cobahh, {"n": 400}),
                                 ("brunel", examples.brunel, {"n_exc": 400, "n_inh": 100})):
        for precision in ("double", "single"):
            out[f"{label}/cpu/{precision}"] = example(builder, "cpu", precision, **args)
        out[f"{label}/numpy"] = example(builder, "numpy", **args)
    return out


def _emulated():
    """Register the CUDA emulator as backend "cuda_emulated" (None: it cannot run here)."""
    if str(ROOT) not in sys.path:   # (after the installed pyspike, never before it)
        sys.path.append(str(ROOT))
    from tests.cuda.emulator.backend import EmulatedBackend, emulator_missing
    if emulator_missing():
        return emulator_missing()
    from pyspike import backends
    backends.BACKENDS["cuda_emulated"] = EmulatedBackend
    return None


def arrays_of(objects: list) -> Dict[str, np.ndarray]:
    """Every array a case's objects hold: spikes, recordings, final states."""
    import pyspike as ps
    out: Dict[str, np.ndarray] = {}
    for k, obj in enumerate(objects):
        if isinstance(obj, ps.SpikeMonitor):
            for field in ("i", "t"):
                value = getattr(obj, field)
                if isinstance(value, list):         # a batch: one array per instance
                    for b, part in enumerate(value):
                        out[f"{k}.{field}.{b}"] = np.asarray(part)
                else:
                    out[f"{k}.{field}"] = np.asarray(value)
        elif isinstance(obj, ps.StateMonitor):
            out[f"{k}.t"] = np.asarray(obj.t)
            for var in obj.variables:
                out[f"{k}.{var}"] = np.asarray(getattr(obj, var))
        elif isinstance(obj, ps.PopulationRateMonitor):
            out[f"{k}.rate"] = np.asarray(obj.rate)
        elif isinstance(obj, ps.NeuronGroup) and not isinstance(obj, ps.Subgroup):
            for var in obj.model.variables:
                out[f"{k}.{var}"] = np.asarray(getattr(obj, var))
        elif isinstance(obj, ps.Synapses):
            for var in obj.variables:
                out[f"{k}.{var}"] = np.asarray(getattr(obj, var))
    return out


def run_all(selected: List[str] = None) -> Dict[str, np.ndarray]:
    missing = _emulated()
    out: Dict[str, np.ndarray] = {}
    for name, run in cases().items():
        if selected and not any(name.startswith(s) for s in selected):
            continue
        if "cuda_emulated" in name and missing:
            raise SystemExit(f"cannot record {name}: {missing}")
        for key, value in arrays_of(run()).items():
            out[f"{name}/{key}"] = value
    return out


def differences(recorded: Dict[str, np.ndarray], now: Dict[str, np.ndarray]
                ) -> List[Tuple[str, str]]:
    """(key, what differs) for every array that is not the same, bit for bit."""
    out = []
    for key in sorted(set(recorded) | set(now)):
        if key not in now or key not in recorded:
            out.append((key, "missing now" if key not in now else "not in the record"))
            continue
        a, b = recorded[key], now[key]
        if a.shape != b.shape or a.dtype != b.dtype:
            out.append((key, f"{a.dtype}{a.shape} recorded, {b.dtype}{b.shape} now"))
        elif not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            where = int(np.argmax(~((a == b) | ((a != a) & (b != b)))))
            out.append((key, f"differs first at flat index {where}: {a.reshape(-1)[where]!r} "
                             f"recorded, {b.reshape(-1)[where]!r} now"))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run every case and write the record")
    rec.add_argument("--out", type=Path, default=None)
    chk = sub.add_parser("check", help="run every case and compare with the record")
    chk.add_argument("--record", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.command == "record":
        path = args.out or default_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = run_all()
        np.savez_compressed(path, **{"__machine__": np.array(machine())}, **data)
        print(f"recorded {len(data)} arrays of {len(cases())} cases in {path}")
        return 0
    path = args.record or default_path()
    with np.load(path, allow_pickle=False) as f:
        recorded = {k: f[k] for k in f.files if k != "__machine__"}
    diffs = differences(recorded, run_all())
    for key, what in diffs:
        print(f"{key}: {what}")
    print(f"{len(diffs)} of {len(recorded)} recorded arrays differ")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
