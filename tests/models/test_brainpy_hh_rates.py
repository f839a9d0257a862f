"""BrainPy's conductance-based neurons and rate models (pyspike/models/brainpy_hh.py and
brainpy_rates.py) against NumPy references written from the published equations
(hh_rates_reference.py), on the NumPy and C++ backends and batched.

One network per backend holds a group of two neurons per model: neuron 0 gets a step
input, neuron 1 a noisy one (a seeded NumPy array, one value per step), set between
one-step runs.  Batched, the second instance gets other inputs.  Each network is built
and run once (module fixtures); the tests compare what it recorded.

Tolerance: both sides compute in float64, but pyspike evaluates the equations as sympy
rearranged them (and its exprel and exp forms of the rates), so the two differ by
roundings of about 1e-16 per step; the dynamics amplify them (most on the upstroke of a
spike) to at most about 1e-11 over the run.  Traces must agree to 1e-8 relative and 1e-8
absolute, and spikes to the step: far above rounding, far below any error in an equation,
a default or the integration step (each of which changes the traces at the 1e-3 level or
more).
"""
import numpy as np
import pytest

import pyspike as ps

from . import hh_rates_reference as ref

DT = 0.1
STEPS = 250
RTOL = ATOL = 1e-8
#: model -> input variable -> (step value, mean and standard deviation of the noisy input)
PROTOCOL = {
    "HH": {"I": (10.0, 8.0, 10.0)},
    "MorrisLecar": {"I": (300.0, 250.0, 150.0)},
    "WangBuzsakiHH": {"I": (2.0, 1.5, 3.0)},
    "FHN": {"I": (1.0, 0.8, 0.5)},
    "HindmarshRose": {"I": (3.0, 3.0, 2.0)},
    "WilsonCowan": {"x_ext": (1.5, 1.0, 1.0), "y_ext": (0.5, 0.3, 0.5)},
    "StuartLandau": {"x_ext": (0.05, 0.0, 0.2), "y_ext": (0.0, 0.02, 0.2)},
    "QIF": {"x_ext": (3.0, 2.0, 2.0), "y_ext": (0.0, 0.01, 0.05)},
    "ThresholdLinear": {"Ie": (200.0, 50.0, 200.0), "Ii": (300.0, 0.0, 300.0)},
}
MODELS = list(PROTOCOL)
SPIKING = [m for m in MODELS if m in ref.THRESHOLDS]


def _inputs(batch):
    """model -> variable -> per-step values, shape (STEPS, [K,] 2): column 0 the step,
    column 1 the noise; instance 1 of a batch gets 1.5 times the step and other noise."""
    rng = np.random.default_rng(20240614)
    out = {}
    for model, variables in PROTOCOL.items():
        out[model] = {}
        for var, (step, mean, sd) in variables.items():
            rows = []
            for scale in ((1.0, 1.5) if batch else (1.0,)):
                noisy = mean + sd * rng.standard_normal(STEPS)
                rows.append(np.stack([np.full(STEPS, scale * step), noisy], axis=1))
            out[model][var] = np.stack(rows, axis=1) if batch else rows[0]
    return out


def _run(backend, batch=None):
    """Build one network with a group per model, drive it step by step, and return per
    model: the initial state, the inputs, the recorded traces and spike steps."""
    net = ps.Network(dt=DT, seed=11, backend=backend, precision="double", batch=batch)
    groups, states, spikes = {}, {}, {}
    with net:
        for model in MODELS:
            groups[model] = G = ps.NeuronGroup(2, model, name=model)
            states[model] = ps.StateMonitor(G, _state_variables(model), record=[0, 1])
            if model in SPIKING:
                spikes[model] = ps.SpikeMonitor(G)
    initial = {m: {v: np.array(getattr(groups[m], v)) for v in _state_variables(m)}
               for m in MODELS}
    inputs = _inputs(batch)
    for k in range(STEPS):
        for model in MODELS:
            for var, values in inputs[model].items():
                setattr(groups[model], var, values[k])
        net.run(DT)
    out = {}
    for m in MODELS:
        traces = {v: np.array(getattr(states[m], v)) for v in _state_variables(m)}
        out[m] = (initial[m], inputs[m], traces, spikes.get(m))
    return out


def _state_variables(model):
    inputs = PROTOCOL[model]
    return [v for v in ps.models.neurons[model].variables if v not in inputs]


@pytest.fixture(scope="module")
def numpy_run():
    return _run("numpy")


@pytest.fixture(scope="module")
def cpu_run():
    return _run("cpu")


@pytest.fixture(scope="module")
def batch_run():
    return _run("cpu", batch=2)


RUNS = ["numpy_run", "cpu_run", "batch_run"]


def _instances(run, model):
    """(pyspike's traces, spike steps per neuron, reference traces, reference spike steps)
    per instance: one unbatched, two batched."""
    initial, inputs, traces, spikes = run[model]
    batched = next(iter(inputs.values())).ndim == 3
    out = []
    for b in ((0, 1) if batched else (None,)):
        pick = (lambda a: a[b]) if batched else (lambda a: a)
        state0 = {v: pick(x) for v, x in initial.items()}
        drive = {v: (x[:, b] if batched else x) for v, x in inputs.items()}
        ref_traces, ref_spikes = ref.simulate(model, state0, drive, DT)
        ours = {v: pick(x).T for v, x in traces.items()}         # (steps, neurons)
        fired = None
        if spikes is not None:
            i, t = (spikes.i[b], spikes.t[b]) if batched else (spikes.i, spikes.t)
            fired = [sorted(np.round(t[i == n] / DT).astype(int)) for n in (0, 1)]
        expected = None if ref_spikes is None else \
            [list(np.flatnonzero(ref_spikes[:, n]) + 1) for n in (0, 1)]
        out.append((ours, fired, ref_traces, expected))
    return out


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("run", RUNS)
def test_traces_follow_the_published_equations_on_a_step_and_a_noisy_input(
        model, run, request):
    for ours, _, expected, _ in _instances(request.getfixturevalue(run), model):
        for var, trace in expected.items():
            np.testing.assert_allclose(ours[var], trace, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{model}.{var}")


@pytest.mark.parametrize("model", SPIKING)
@pytest.mark.parametrize("run", RUNS)
def test_spikes_are_the_upward_crossings_of_the_published_equations(model, run, request):
    for _, fired, _, expected in _instances(request.getfixturevalue(run), model):
        assert all(steps for steps in expected), "the protocol must make every neuron spike"
        assert fired == expected


def test_hh_gates_start_at_their_steady_state_for_the_initial_voltage():
    G = ps.NeuronGroup(3, "HH", init={"V": np.array([-70.0, -65.0, -60.0])})
    for gate, (alpha, beta) in ref.hh_rates(np.array([-70.0, -65.0, -60.0])).items():
        np.testing.assert_allclose(getattr(G, gate), alpha / (alpha + beta), rtol=1e-12)


def test_hh_starts_from_brainpys_initial_values_by_default():
    G = ps.NeuronGroup(1, "HH")
    alpha, beta = ref.hh_rates(np.array([-65.0]))["m"]
    assert (G.V[0], G.m[0]) == (-65.0, pytest.approx(alpha[0] / (alpha[0] + beta[0])))


@pytest.mark.parametrize("model, shown", [
    ("HH", ["Hodgkin", "gL = 0.03 mS/cm**2", "gNa = 120.0 nS", "C = 1.0 pF", "I : pA",
            "V_th = 20.0 mV", "method: exp_auto", "m = '1/(1 + 4*exp"]),
    ("WangBuzsakiHH", ["ten times", "phi = 5.0", "gNa = 35.0 nS", "EK = -90.0 mV"]),
    ("MorrisLecar", ["Morris", "g_Ca = 4.4 nS", "phi = 0.04 1/ms",
                     "V = '-70 + 10*rand()' mV"]),
    ("FHN", ["a = 0.7, b = 0.8, tau = 12.5", "tau = 12.5 ms", "I : 1/ms"]),
    ("StuartLandau", ["+ w x", "x_ext : 1/ms"]),
    ("ThresholdLinear", ["tau_e = 20.0 ms", "seconds"]),
])
def test_printing_a_model_shows_its_documentation_and_units(model, shown):
    text = str(ps.models.neurons[model])
    assert [s for s in shown if s not in text] == []


@pytest.mark.parametrize("model, param, value", [
    ("HH", "gNa", 100.0), ("MorrisLecar", "V_Ca", 120.0), ("WangBuzsakiHH", "phi", 3.33),
    ("FHN", "tau", 10.0), ("HindmarshRose", "r", 0.005), ("WilsonCowan", "wEE", 16.0),
    ("StuartLandau", "w", 0.5), ("QIF", "J", 10.0), ("ThresholdLinear", "tau_e", 5.0),
])
def test_params_replace_a_default_for_one_group_only(model, param, value):
    G = ps.NeuronGroup(1, model, params={param: value})
    assert float(getattr(G, param)) == value
    assert ps.models.neurons[model].params[param] == ref.DEFAULTS[model][param] != value


@pytest.mark.parametrize("model", MODELS)
def test_library_defaults_are_brainpys(model):
    library = ps.models.neurons[model].params
    assert {k: library[k] for k in ref.DEFAULTS[model]} == ref.DEFAULTS[model]
