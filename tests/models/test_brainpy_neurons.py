"""BrainPy 2.4.3's integrate-and-fire neurons in pyspike's library, against NumPy
references written from the published equations (``brainpy_reference.py``).

One network holds a group of two neurons per case: neuron 0 gets a step input, neuron 1
a noisy one (a seeded array of per-step values); it is driven once per backend in
one-step runs, setting ``I`` between them as BrainPy's runner sets its input every step.
"""
import functools
import re

import numpy as np
import pytest

import pyspike as ps
from pyspike.codegen.errors import ModelError

from . import brainpy_reference as ref

DT = 0.1
STEPS = 400
ONSET = 20                    # steps without input before the step

#: label -> (library name, parameters given to the group, input amplitude in I's unit);
#: tau_ref = 2 ms changes the spikes of every Ref case (so the holding of V is tested),
#: and every case fires at least twice per neuron.
CASES = {
    "Lif": ("Lif", {}, 40.0),
    "LifRef": ("LifRef", {"tau_ref": 2.0}, 40.0),
    "ExpIF": ("ExpIF", {}, 12.0),
    "ExpIFRef": ("ExpIFRef", {"tau_ref": 2.0}, 12.0),
    "AdExIF": ("AdExIF", {}, 20.0),
    "AdExIFRef": ("AdExIFRef", {"tau_ref": 2.0}, 20.0),
    "QuaIF": ("QuaIF", {}, 20.0),
    "QuaIFRef": ("QuaIFRef", {"tau_ref": 2.0}, 20.0),
    "AdQuaIF": ("AdQuaIF", {}, 35.0),
    "AdQuaIFRef": ("AdQuaIFRef", {"tau_ref": 2.0}, 35.0),
    "Gif": ("Gif", {}, 2.5),
    # spike-induced currents and a moving threshold (Mihalas & Niebur's bursting)
    "Gif_bursting": ("Gif", {"a": 0.005, "A1": 10.0, "A2": -0.6}, 2.5),
    "GifRef": ("GifRef", {"a": 0.005, "A1": 10.0, "A2": -0.6, "tau_ref": 2.0}, 2.5),
    "Izhikevich": ("Izhikevich", {}, 20.0),
    "IzhikevichRef": ("IzhikevichRef", {"tau_ref": 2.0}, 20.0),
    "ALIFBellec2020": ("ALIFBellec2020", {}, 30.0),
    "ALIFBellec2020_ref": ("ALIFBellec2020", {"tau_ref": 2.0}, 30.0),
}


def _inputs(amplitude: float, instance: int) -> np.ndarray:
    """(STEPS, 2): a step for neuron 0, a noisy step for neuron 1; instance 1 of a batch
    gets a larger step and other noise."""
    rng = np.random.default_rng(1000 + instance)
    scale = amplitude * (1.0 + 0.25 * instance)
    on = (np.arange(STEPS) >= ONSET) * scale
    noisy = on + 0.5 * amplitude * rng.standard_normal(STEPS)
    return np.stack([on, noisy], axis=1)


@functools.lru_cache(maxsize=None)
def _simulated(backend: str, batch=None):
    """label -> (state after every step: var -> (K, STEPS, 2), spikes per instance as
    sorted (step, neuron) pairs), from one network of every case."""
    K = batch or 1
    net = ps.Network(dt=DT, seed=1, backend=backend, precision="double", batch=batch)
    with net:
        groups = {label: ps.NeuronGroup(2, name, name=label, params=params)
                  for label, (name, params, _) in CASES.items()}
        monitors = {label: ps.SpikeMonitor(g) for label, g in groups.items()}
    drive = {label: np.stack([_inputs(CASES[label][2], b) for b in range(K)])
             for label in CASES}
    traces = {label: {v: [] for v in g.model.variables if v != "I"}
              for label, g in groups.items()}
    for k in range(STEPS):
        for label, g in groups.items():
            g.I = drive[label][:, k] if batch else drive[label][0, k]
        net.run(DT)
        for label, g in groups.items():
            for v, rows in traces[label].items():
                rows.append(np.array(getattr(g, v)).reshape(K, 2))
    assert net.t == pytest.approx(STEPS * DT)
    out = {}
    for label, m in monitors.items():
        per_instance = [(m.i, m.t)] if batch is None else list(zip(m.i, m.t))
        spikes = [sorted(zip(np.rint(t / DT).astype(int) - 1, i.tolist()))
                  for i, t in per_instance]
        out[label] = ({v: np.stack(rows, axis=1) for v, rows in traces[label].items()},
                      spikes)
    return out


def _expected(label: str, instance: int):
    name, params, amplitude = CASES[label]
    return ref.simulate(name, _inputs(amplitude, instance), DT, params)


def _agree(label: str, backend: str, batch=None) -> None:
    state, spikes = _simulated(backend, batch)[label]
    for b in range(batch or 1):
        want_state, want_spikes = _expected(label, b)
        assert len(want_spikes) >= 4, "the inputs should make every case fire"
        assert spikes[b] == want_spikes
        assert set(state) == set(want_state)
        for v, want in want_state.items():
            # Both sides compute in float64 from the same formulas in another order
            # (pyspike's statements are factored, their subexpressions shared; the C++
            # build calls libm's exp and expm1): they differ by rounding, which the
            # upstroke before a spike amplifies (Izhikevich's dV/dV = 0.08 V + 5 doubles a
            # difference each step near 30 mV): measured up to 6e-10 relative, so 1e-8.
            np.testing.assert_allclose(state[v][b], want, rtol=1e-8, atol=1e-9,
                                       err_msg=f"{label}.{v}, instance {b}")


@pytest.mark.parametrize("label", CASES)
def test_each_model_gives_the_reference_spikes_and_traces_on_the_numpy_backend(label):
    _agree(label, "numpy")


@pytest.mark.parametrize("label", CASES)
def test_each_model_gives_the_reference_spikes_and_traces_on_the_cpu_backend(label):
    _agree(label, "cpu")


@pytest.mark.parametrize("label", CASES)
def test_each_model_gives_each_instance_of_a_batch_its_reference_spikes_and_traces(label):
    _agree(label, "cpu", batch=2)


@pytest.mark.parametrize("name", ref.MODELS)
def test_each_model_has_brainpys_defaults_and_initial_values(name):
    model = ps.models.neurons[name]
    defaults = ref.MODELS[name].defaults
    assert model.params == defaults
    G = ps.NeuronGroup(3, name)
    for v, value in ref.MODELS[name].init(defaults).items():
        np.testing.assert_array_equal(getattr(G, v), np.full(3, value), err_msg=v)


def test_the_brainpy_integrate_and_fire_family_is_in_the_library():
    names = {"Lif", "LifRef", "ExpIF", "AdExIF", "QuaIF", "AdQuaIF", "Gif", "Izhikevich",
             "ALIFBellec2020", "ExpIFRef", "AdExIFRef", "QuaIFRef", "AdQuaIFRef", "GifRef",
             "IzhikevichRef"}
    assert names <= set(ps.models.neurons)
    assert all(ps.models.neurons[n].method == "exp_auto" for n in names)


#: The parameters that are numbers without a unit (the others print theirs).
DIMENSIONLESS = {"AdQuaIF": {"a"}, "AdQuaIFRef": {"a"}, "Gif": {"R1", "R2"},
                 "GifRef": {"R1", "R2"}}


@pytest.mark.parametrize("name", ref.MODELS)
def test_each_model_prints_its_documentation_with_defaults_and_units(name):
    text = str(ps.models.neurons[name])
    assert text.startswith(name + "\n")
    assert "BrainPy" in text and "Reference" in text and "method: exp_auto" in text
    for p, value in ref.MODELS[name].defaults.items():
        line = re.search(rf"^  {p} = {re.escape(repr(float(value)))}( \S+)?$", text, re.M)
        assert line, p
        assert (line.group(1) is None) == (p in DIMENSIONLESS.get(name, ())), line.group(0)
    start = ref.MODELS[name].init(ref.MODELS[name].defaults)["V"]
    assert f"initial values:\n  V = {start!r} mV" in text


def test_adexif_prints_each_parameter_in_its_unit():
    text = str(ps.models.neurons["AdExIF"])
    for line in ("V_th = -30.0 mV", "delta_T = 3.48 mV", "R = 1.0 Gohm", "tau = 10.0 ms",
                 "tau_w = 30.0 ms", "a = 1.0 nS", "b = 1.0 pA", "I : pA",
                 "dw/dt = (a*(V - V_rest) - w)/tau_w : pA"):
        assert line in text, line


def test_params_change_a_default_of_a_library_model_and_keep_the_others():
    G = ps.NeuronGroup(2, "AdExIF", params={"a": 2.0, "V_th": -40.0})
    assert (G.a, G.V_th, G.b, G.tau_w) == (2.0, -40.0, 1.0, 30.0)
    assert ps.models.neurons["AdExIF"].params["a"] == 1.0


def test_the_izhikevich_recovery_variable_starts_at_b_times_the_given_voltage():
    G = ps.NeuronGroup(2, "Izhikevich", params={"b": 0.25}, init={"V": -60.0})
    np.testing.assert_array_equal(G.u, [-15.0, -15.0])


def _one_step(model: ps.NeuronModel, v0: float, dt: float) -> float:
    net = ps.Network(dt=dt, backend="numpy")
    with net:
        G = ps.NeuronGroup(1, model, init={"V": v0})
    net.run(dt)
    return float(G.V[0])


def test_exp_auto_steps_expif_along_its_equation_linearised_at_the_start_of_the_step():
    expif = ps.models.neurons["ExpIF"]
    p, v0, dt = expif.params, -52.0, 1.0
    e = np.exp((v0 - p["V_T"]) / p["delta_T"])
    f = (p["V_rest"] - v0 + p["delta_T"] * e) / p["tau"]
    jacobian = (e - 1.0) / p["tau"]                    # d/dV of f, by hand
    linearised = v0 + dt * np.expm1(dt * jacobian) / (dt * jacobian) * f
    assert abs(linearised - (v0 + dt * f)) > 0.5        # far from a forward-Euler step
    assert _one_step(expif, v0, dt) == pytest.approx(linearised, rel=1e-12)


def _text(name: str) -> dict:
    m = ps.models.neurons[name]
    return dict(equations=m.equations, threshold=m.threshold, reset=m.reset,
                params=m.params)


def test_exponential_euler_refuses_quaif_whose_equation_is_quadratic_in_v():
    # (ExpIF is accepted, as Brian2 accepts it: A = -1/tau, B holds exp(V/delta_T))
    with pytest.raises(ModelError, match="linear in V"):
        _one_step(ps.NeuronModel(**_text("QuaIF"), method="exponential_euler"), -52.0, 1.0)


def test_exp_auto_takes_exponential_eulers_step_where_an_equation_is_linear():
    lif = ps.models.neurons["Lif"]
    exponential_euler = ps.NeuronModel(**_text("Lif"), method="exponential_euler")
    assert _one_step(lif, 5.0, 1.0) == pytest.approx(_one_step(exponential_euler, 5.0, 1.0),
                                                      rel=1e-15)
