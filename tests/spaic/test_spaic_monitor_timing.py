"""When pyspike.spaic's monitors and voltage decoders record a step's value, against SPAIC
0.6.3 itself (tests/spaic/data/monitor_timing.npz, written by
bench/spaic_peer/monitor_timing.py in SPAIC's environment; the tests do not import
spaic): a 3 -> 2 -> 2 network of lif or clif neurons on a fixed input spike train, 20
steps of dt = 0.1 ms, float64.  SPAIC records each step's values after the step, so a
spike on input step 2 shows in layer 2's V at index 4 (one step per connection)."""
import os

import numpy as np
import pytest

import pyspike.spaic as spaic

REF = np.load(os.path.join(os.path.dirname(__file__), "data", "monitor_timing.npz"))
T, DT, EVERY = REF["x"].shape[1], float(REF["dt"]), 3
LAYERS, VARS = ("layer1", "layer2"), ("V", "O", "Isyn")


def _run(model: str) -> dict:
    """The network of monitor_timing.py for ``model``, run on its input."""
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=3, coding_method="null")
        layers = {name: spaic.NeuronGroup(2, model=model) for name in LAYERS}
        spaic.Connection(inp, layers["layer1"], link_type="full", weight=REF[f"{model}_w1"])
        spaic.Connection(layers["layer1"], layers["layer2"], link_type="full",
                         weight=REF[f"{model}_w2"])
        decoders = {m: spaic.Decoder(num=2, dec_target=layers["layer2"], coding_method=m)
                    for m in ("v_t", "final_step_voltage")}
        mons = {f"{name}_{var}": spaic.StateMonitor(g, var)
                for name, g in layers.items() for var in VARS}
        sparse = spaic.StateMonitor(layers["layer2"], "V", dt=EVERY * DT)
    net.build(backend=spaic.Backend("numpy", data_type="float64"))
    inp(REF["x"])
    net.run(round(T * DT, 10))
    got = {key: mon.values for key, mon in mons.items()}
    got.update(v_t=decoders["v_t"].predict, final=decoders["final_step_voltage"].predict,
               sparse_V=sparse.values, sparse_times=sparse.times)
    return got


@pytest.fixture(scope="module", params=["lif", "clif"])
def run(request):
    return request.param, _run(request.param)


def _same(got, want):
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_state_monitor_of_v_records_each_step_as_spaic_does(run):
    model, got = run
    for layer in LAYERS:
        _same(got[f"{layer}_V"], REF[f"{model}_{layer}_V"])


def test_a_spike_on_input_step_2_shows_in_layer_2s_v_at_index_4():
    got = _run("lif")["layer2_V"][0, 1]
    assert np.flatnonzero(got)[0] == 4 == np.flatnonzero(REF["lif_layer2_V"][0, 1])[0]


def test_a_state_monitor_of_o_shows_each_spike_in_its_own_step(run):
    model, got = run
    for layer in LAYERS:
        _same(got[f"{layer}_O"], REF[f"{model}_{layer}_O"])


def test_a_state_monitor_of_isyn_still_records_the_input_summed_in_each_step(run):
    model, got = run
    for layer in LAYERS:
        _same(got[f"{layer}_Isyn"], REF[f"{model}_{layer}_Isyn"])


def test_the_v_t_decoder_gives_spaics_trajectory(run):
    model, got = run
    _same(got["v_t"], REF[f"{model}_v_t"])


def test_the_final_step_voltage_decoder_gives_v_after_the_last_step(run):
    model, got = run
    _same(got["final"], REF[f"{model}_final"])


def test_a_monitor_every_3_steps_samples_after_steps_2_5_8_as_spaic_does(run):
    model, got = run
    _same(got["sparse_V"], REF[f"{model}_sparse_V"])


def test_a_monitor_every_3_steps_stamps_its_samples_with_their_steps_starts(run):
    # (SPAIC stamps the sample after step k with (k + 1)*dt; pyspike.spaic with k*dt)
    _, got = run
    np.testing.assert_allclose(got["sparse_times"], np.arange(EVERY - 1, T, EVERY) * DT,
                               rtol=0, atol=1e-12)


def test_a_monitor_of_a_clamped_variable_records_it_clamped_after_each_step():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="null")
        g = spaic.NeuronGroup(1, model="lif", variable_ranges={"V": (0.0, 0.3)})
        spaic.Connection(inp, g, link_type="full", weight=np.array([[0.5]]))
        mon = spaic.StateMonitor(g, "V")
    net.build(backend=spaic.Backend("numpy", data_type="float64"))
    x = np.zeros((1, 6, 1))
    x[0, 1, 0] = 1.0                                   # reaches V in step 2
    inp(x)
    net.run(0.6)
    beta, v, want = np.exp(-0.1 / 8.0), 0.0, []
    for k in range(6):
        v = min(max(beta * v + (0.5 if k == 2 else 0.0), 0.0), 0.3)
        want.append(v)
    np.testing.assert_allclose(mon.values[0, 0], want, rtol=1e-12, atol=0)
