"""examples/brian2/ against Brian2's own numbers, without Brian2: bench/brian2_stored.json
holds what Brian2 2.9 gave for each peer in bench/brian2_peer/ at the ports' quick scale
(written by ``python bench/brian2_examples.py --quick --store``, in the peer venv).

Each deterministic port, run at its quick scale (tests/examples/conftest.py's ``run``,
shared with the other example tests), must agree with Brian2's stored result by its peer's
``COMPARE`` rules, compared by the benchmark's own code (bench/brian2_examples.py). A
stochastic port is checked the benchmark's way, seeds 1 to 3 against Brian2's three stored
seeds, where its quick run is cheap (the stored pyspike time of one run under ``CHEAP_S``);
the others (at present CUBA, Vogels_et_al_2011 and Brunel_2000, seconds per seed) are left
to the benchmark. A port with a peer but no stored numbers fails
``test_every_peer_has_stored_brian2_numbers``: rerun the benchmark with ``--store`` when a
peer is added or changed. The peers are read without importing brian2
(they import it inside ``main()`` only).
"""
import contextlib
import importlib.util
import io
import json
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
PORTS, PEERS = REPO / "examples" / "brian2", REPO / "bench" / "brian2_peer"
STORED_FILE = REPO / "bench" / "brian2_stored.json"
CHEAP_S = 1.0       # seconds per pyspike run: stochastic ports quicker than this are checked


def _module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _module(REPO / "bench" / "brian2_examples.py", "brian2_examples_bench")
RUNNER = BENCH._runner               # bench/brian2_peer/_runner.py: load_peer, scalar_results
WITH_PEER = sorted(p.stem for p in PEERS.glob("*.py")
                   if not p.stem.startswith("_") and (PORTS / p.name).exists())
STORED = json.loads(STORED_FILE.read_text()).get("quick", {}) if STORED_FILE.exists() else {}
DETERMINISTIC = [n for n in WITH_PEER if n in STORED and not STORED[n]["stochastic"]]
CHEAP_STOCHASTIC = [n for n in WITH_PEER if n in STORED and STORED[n]["stochastic"]
                    and STORED[n].get("pyspike_wall_s", CHEAP_S) < CHEAP_S]


def _disagreements(name: str, pyspike_runs: list) -> list:
    """The compared keys on which pyspike's runs and Brian2's stored ones disagree."""
    peer = RUNNER.load_peer(name)
    entry = STORED[name]
    ours = {"results": [RUNNER.scalar_results(r, peer.COMPARE) for r in pyspike_runs]}
    _, checks = BENCH.compare(peer, ours, {"results": entry["results"]})
    return [f"{key}: pyspike / Brian2 {entry['brian2']} {text}"
            for key, ok, text in checks if not ok]


def test_every_peer_has_stored_brian2_numbers():
    missing = [n for n in WITH_PEER if n not in STORED]
    assert not missing, ("no stored Brian2 numbers for " + ", ".join(missing) + ": run "
                         "python bench/brian2_examples.py --quick --store --only "
                         + " ".join(missing))


@pytest.mark.parametrize("name", DETERMINISTIC)
def test_a_deterministic_port_gives_brian2s_stored_result(name, run):
    results, _ = run(name)
    assert STORED[name]["seeds"] == [1]
    assert _disagreements(name, [results]) == []


@pytest.mark.parametrize("name", CHEAP_STOCHASTIC)
def test_a_stochastic_port_lies_within_brian2s_stored_seed_spread(name, run, load_example):
    seeds = STORED[name]["seeds"]
    runs = [run(name)[0]]                      # seed 1, the shared run
    module = load_example(name)
    for seed in seeds[1:]:
        with contextlib.redirect_stdout(io.StringIO()):
            runs.append(module.main(quick=True, seed=seed))
    assert _disagreements(name, runs) == []
