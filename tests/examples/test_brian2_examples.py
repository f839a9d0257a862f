"""examples/brian2/: Brian2's own examples, ported with their equations and parameters,
run at their quick scale on the cpu backend; each result is checked against what the
model (an analytic formula) or Brian2's example and the paper behind it say.

Every example runs once per module (about 15 s in all on two cores, builds cached).
"""
import contextlib
import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "brian2"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"brian2_example_{name}", FOLDER / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run():
    """name -> (returned results, printed text), each example run once."""
    done = {}

    def get(name: str):
        if name not in done:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                results = _load(name).main(quick=True)
            done[name] = results, printed.getvalue()
        return done[name]
    return get


NAMES = sorted(p.stem for p in FOLDER.glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("name", NAMES)
def test_each_example_says_what_it_ports_and_prints_its_results(name, run):
    assert "Brian2's ``examples/" in _load(name).__doc__
    results, printed = run(name)
    for key, value in results.items():
        if np.ndim(value) == 0:
            assert f"{key}: " in printed


def test_lif_f_i_curve_rises_from_the_analytic_rheobase_to_the_analytic_rate(run):
    r, _ = run("IF_curve_LIF")
    assert r["monotonic"]
    # rheobase 10 mV: the first firing neuron is the first with v0 > 10 mV
    assert 10.0 < r["rheobase_mV"] < 10.0 + 20.0 / (r["n_neurons"] - 1) + 1e-9
    # grid-aligned spikes lengthen each period by under one step: within 1.5 Hz of
    # 1/(5 ms + 10 ms ln 2) = 83.8 Hz, which the counts over 300 ms resolve to 3.3 Hz
    assert abs(r["rate_at_20mV_Hz"] - r["analytic_rate_at_20mV_Hz"]) < 1.5 + 3.4


def test_hh_f_i_curve_rises_monotonically_from_a_rheobase_below_0_1_nA(run):
    r, _ = run("IF_curve_Hodgkin_Huxley")
    assert r["monotonic"] and r["counts"][0] == 0
    assert 0.0 < r["rheobase_nA"] < 0.1          # Brian2's curve starts near the origin
    assert 70.0 < r["rate_at_max_I_Hz"] < 110.0


def test_adaptive_threshold_crossings_lie_in_brian2s_histogram_range(run):
    r, _ = run("adaptive_threshold")
    # vt relaxes to 10 mV and rises 3 mV per spike: crossings between 10 and 20 mV
    assert 10.0 <= r["min_v_at_crossing_mV"] and r["max_v_at_crossing_mV"] < 20.0
    assert 30.0 < r["rate_Hz"] < 120.0 and 10.0 < r["mean_vt_mV"] < 20.0


def test_constant_drive_gives_the_noiseless_rate_but_spikes_drift_apart(run):
    r, _ = run("non_reliability")
    assert abs(r["mean_rate_Hz"] - r["noiseless_rate_Hz"]) < 3.0
    assert r["mean_isi_cv"] < 0.2
    assert r["fifth_spike_spread_ms"] > r["first_spike_spread_ms"] > 1.0


def test_strong_modulation_locks_to_the_input_and_weak_does_not(run):
    r, _ = run("phase_locking")
    assert abs(r["rate_weakest_a_Hz"] - r["unmodulated_rate_Hz"]) < 3.0
    assert 10 < r["n_locked"] < 90 and r["smallest_locked_a"] > 0.1
    assert r["vector_strength_strongest10"] > 2 * r["vector_strength_weakest10"]


def test_cuba_rate_is_brian2s_within_seed_spread(run):
    r, _ = run("CUBA")
    # Brian2 2.9: 5.6 Hz over 1 s; the first 300 ms start from random potentials
    assert 4.0 < r["mean_rate_Hz"] < 8.0 and 0.2 < r["mean_isi_cv"] < 1.0
    assert abs(r["n_synapses"] - 0.02 * 4000 * 4000) < 4 * np.sqrt(0.02 * 4000 * 4000)


def test_stdp_pushes_weights_to_both_bounds(run):
    r, _ = run("STDP")
    assert r["w_min_over_gmax"] >= 0.0 and r["w_max_over_gmax"] <= 1.0
    # uniform start: 10% in each end bin; competition fills both ends
    assert r["fraction_below_0.1"] > 0.12 and r["fraction_above_0.9"] > 0.1
    assert 5.0 < r["late_output_rate_Hz"] < 50.0


def test_inhibitory_network_oscillates_fast_while_neurons_fire_sparsely(run):
    r, _ = run("Brunel_Hakim_1999")
    assert r["max_spikes_per_neuron"] <= 3 and r["mean_rate_Hz"] < 20.0
    # delay 2 ms: a global oscillation between 1/(4 delay) and 1/(2 delay) or so
    assert 100.0 < r["oscillation_Hz"] < 250.0 and r["rate_peak_to_mean"] > 2.0


def test_synfire_volley_reaches_the_last_group_and_stays_sharp(run):
    r, _ = run("Diesmann_et_al_1999")
    assert r["groups_reached"] == 10
    assert all(80 <= a <= 120 for a in r["a_per_group"][3:])
    assert all(s < 1.0 for s in r["sigma_per_group_ms"][3:])
    assert np.all(np.diff(r["t_per_group_ms"]) > 0)


def test_adex_reset_sweep_shows_periodic_and_irregular_orbits(run):
    r, _ = run("Touboul_Brette_2008")
    assert r["distinct_w_at_lowest_Vr"] <= 4
    assert r["n_irregular"] > 0
