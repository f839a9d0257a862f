"""SPAIC networks run on pyspike: encoders, connections, decoders, monitors, batches."""
import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError
from pyspike.spaic import coding, decoding


def _float64(name="numpy"):
    """A float64 backend (the default, named for the tests that check a formula to 1e-12:
    float32, SPAIC's, rounds each step at ~6e-8)."""
    return spaic.Backend(name, data_type="float64")


def _chain(backend="numpy", method="poisson", n_in=20, n_out=5, seed=3, weight=None,
           model="lif", **enc):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=n_in, coding_method=method, **enc)
        out = spaic.NeuronGroup(n_out, model=model)
        w = np.full((n_out, n_in), 0.3) if weight is None else weight
        spaic.Connection(inp, out, link_type="full", weight=w)
        s_in, s_out = spaic.SpikeMonitor(inp), spaic.SpikeMonitor(out)
    net.set_random_seed(seed)
    net.build(backend=backend)
    return net, inp, out, s_in, s_out


def test_poisson_encoder_rate_is_within_binomial_bounds():
    # p = x * unit_conversion * dt = 0.5 * 1 * 0.1 = 0.05 per step; 400 steps x 200
    # inputs = 80000 draws: the count is within 5 standard deviations of 4000
    net, inp, _, s_in, _ = _chain("cpu", n_in=200)
    inp(np.full((1, 200), 0.5))
    net.run(40.0)
    n = s_in.spk_count.sum()
    mean, sd = 80000 * 0.05, np.sqrt(80000 * 0.05 * 0.95)
    assert abs(n - mean) < 5 * sd


def test_poisson_encoder_is_silent_outside_its_window():
    net, inp, _, s_in, _ = _chain(start_time=1.0, end_time=2.0)
    inp(np.full((1, 20), 5.0))                   # p = 0.5
    net.run(4.0)
    steps = np.rint(s_in.spk_times[0] / 0.1).astype(int)
    active = coding.poisson_active_steps(40, 0.1, start_time=1.0, end_time=2.0)
    assert steps.size and active[steps].all()


def test_latency_encoder_spikes_at_the_steps_of_its_definition():
    net, inp, _, s_in, _ = _chain(method="latency", n_in=6)
    data = np.array([[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [1.0, 0.9, 0.1, 0.0, 0.5, 0.3]])
    inp(data)
    net.run(3.0)
    want = coding.latency_steps(data, 30)
    for b in range(2):
        got = np.zeros(6, dtype=int)
        got[s_in.spk_index[b]] = np.rint(s_in.spk_times[b] / 0.1).astype(int)
        assert got.tolist() == want[b].tolist()


def test_a_full_connection_delivers_column_i_of_the_post_pre_weights():
    # one input spike at step 0; the 'null' model's O is its input of the step
    w = np.arange(6.0).reshape(3, 2)
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        relay = spaic.NeuronGroup(3, model="null")
        spaic.Connection(inp, relay, link_type="full", weight=w)
        mon = spaic.StateMonitor(relay, "O")
    net.build(backend="numpy")
    spikes = np.zeros((1, 4, 2))
    spikes[0, 0, 1] = 1.0                         # input 1 at step 0
    inp(spikes)
    net.run(0.4)
    assert mon.values[0, :, 1].tolist() == w[:, 1].tolist()   # its O of step 1


def test_connection_weight_reads_and_writes_the_compiled_synapses():
    net, inp, out, _, _ = _chain()
    con = next(iter(net._connections.values()))
    con.weight = np.full((5, 20), 0.125)
    assert np.all(con.weight == 0.125)


def test_run_starts_from_the_initial_state_each_time():
    net, inp, _, _, s_out = _chain(method="latency", weight=np.full((5, 20), 0.6))
    inp(np.linspace(0, 1, 20)[None])
    net.run(3.0)
    first = [t.copy() for t in s_out.spk_times]
    net.run(3.0)
    assert [t.tolist() for t in s_out.spk_times] == [t.tolist() for t in first]


def test_run_continue_goes_on_without_resetting():
    net, inp, out, _, _ = _chain(method="latency")
    mon = spaic.StateMonitor(out, "V")
    net.add_assembly("extra", spaic.NeuronGroup(1, model="lif"))   # changes the structure
    net._monitors["v"] = mon
    inp(np.linspace(0, 1, 20)[None])
    net.run(1.0)
    net.run_continue(1.0)
    assert mon.values.shape == (1, 5, 20)
    assert mon.times[-1] == pytest.approx(1.9)



@pytest.mark.parametrize("backend", ["numpy", "cpu"])
def test_run_then_run_continue_equals_one_uninterrupted_run(backend):
    def made():
        net = spaic.Network()
        with net:
            inp = spaic.Encoder(num=20, coding_method="poisson")
            out = spaic.NeuronGroup(5, model="lif")
            spaic.Connection(inp, out, link_type="full", weight=np.full((5, 20), 0.5))
            mon, s_out = spaic.StateMonitor(out, "V"), spaic.SpikeMonitor(out)
        net.set_random_seed(3)
        net.build(backend=backend)
        inp(np.linspace(0, 1, 20)[None])
        return net, mon, s_out
    pieces, v_pieces, s_pieces = made()
    pieces.run(3.0)
    pieces.run_continue(2.0)
    whole, v_whole, s_whole = made()
    whole.run(5.0)
    assert s_whole.spk_count.sum() > 0
    np.testing.assert_array_equal(v_pieces.values, v_whole.values)
    np.testing.assert_array_equal(v_pieces.times, v_whole.times)
    assert [t.tolist() for t in s_pieces.spk_times] == [t.tolist() for t in s_whole.spk_times]

def test_a_batch_gives_for_each_sample_what_it_gives_alone():
    data = np.random.default_rng(0).uniform(0, 2, size=(3, 20))
    net, inp, _, _, s_out = _chain("cpu", weight=np.full((5, 20), 0.3))
    inp(data)
    net.run(5.0)
    batched = [t.tolist() for t in s_out.spk_times]
    seeds = net.seeds
    for b in range(3):
        alone, inp1, _, _, s1 = _chain("cpu", seed=int(seeds[b]),
                                       weight=np.full((5, 20), 0.3))
        inp1(data[b:b + 1])
        alone.run(5.0)
        assert s1.spk_times[0].tolist() == batched[b]


def test_numpy_and_cpu_backends_give_the_same_spikes():
    data = np.random.default_rng(1).uniform(0, 2, size=(2, 20))
    runs = []
    for backend in ("numpy", "cpu"):
        net, inp, _, _, s_out = _chain(backend)
        inp(data)
        net.run(3.0)
        runs.append([t.tolist() for t in s_out.spk_times])
    assert runs[0] == runs[1]


def test_decoder_spike_counts_match_the_definition_on_the_record():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=10, coding_method="poisson")
        out = spaic.NeuronGroup(4, model="lif")
        spaic.Connection(inp, out, link_type="full", weight=np.full((4, 10), 0.4))
        dec = spaic.Decoder(num=4, dec_target=out, coding_method="spike_counts")
        mon = spaic.SpikeMonitor(out)
    net.set_random_seed(5)
    net.build(backend="numpy")
    inp(np.full((2, 10), 1.0))
    net.run(5.0)
    assert dec.predict.tolist() == decoding.decode_spike_counts(mon.record(50), 0.1).tolist()
    assert dec.predict.sum() > 0


def test_stay_variables_are_kept_by_a_new_run():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="null")
        ex = spaic.NeuronGroup(1, model="lifstdp_ex")
        spaic.Connection(inp, ex, link_type="full", weight=np.array([[50.0]]))
    net.build(backend="numpy")
    spikes = np.zeros((1, 5, 1))
    spikes[0, 0, 0] = 1.0
    inp(spikes)
    net.run(0.5)
    G = net._lowered.ps_of(ex)
    theta = float(np.asarray(G.theta).ravel()[0])
    assert theta > 0.04                            # raised by the spike
    net.reset()
    assert float(np.asarray(G.theta).ravel()[0]) == theta
    assert float(np.asarray(G.V).ravel()[0]) == -65.0


def test_encoder_data_of_the_wrong_size_is_refused():
    net, inp, *_ = _chain()
    with pytest.raises(ModelError, match="20 inputs"):
        inp(np.zeros((2, 7)))


def test_run_time_must_be_whole_steps():
    net, inp, *_ = _chain()
    inp(np.zeros((1, 20)))
    with pytest.raises(ModelError, match="whole number"):
        net.run(0.05)


def test_running_without_data_is_refused():
    net, *_ = _chain()
    with pytest.raises(ModelError, match="Net.input"):
        net.run(1.0)


def test_a_connection_to_a_missing_variable_is_refused_at_build():
    net = spaic.Network()
    with net:
        a = spaic.Encoder(num=2, coding_method="poisson")
        b = spaic.NeuronGroup(2, model="lif")
        spaic.Connection(a, b, link_type="full", post_var_name="Iother")
    with pytest.raises(ModelError, match="Iother"):
        net.build(backend="numpy")


def test_torch_backend_names_the_compiled_cpu_backend():
    assert spaic.Torch_Backend("cpu").name == "cpu"
    assert spaic.Torch_Backend("cuda:0").name == "cuda"


def test_stay_variables_survive_a_rebuild_for_another_batch_size():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="null")
        ex = spaic.NeuronGroup(1, model="lifstdp_ex")
        spaic.Connection(inp, ex, link_type="full", weight=np.array([[50.0]]))
        mon = spaic.StateMonitor(ex, "theta")
    net.build(backend=_float64())
    spikes = np.zeros((1, 5, 1))
    spikes[0, 0, 0] = 1.0
    inp(spikes)
    net.run(0.5)
    theta = mon.values[0, 0, -1]
    inp(np.zeros((3, 5, 1)))                       # three silent samples: a new build
    net.run(0.1)
    assert mon.values.shape[0] == 3
    # kept from the end of the first run: one decay (exp(-1/1e7) per step) after the
    # last recorded sample (recorded at its step's start)
    assert np.allclose(mon.values[:, 0, 0], theta * np.exp(-1 / 1e7), rtol=1e-12, atol=0)


def _current_net(n_connections=1):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="constant_current", amp=2.0)
        out = spaic.NeuronGroup(3, model="lif", v_th=100.0)
        for _ in range(n_connections):
            spaic.Connection(inp, out, link_type="full",
                             weight=np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]))
        mon = spaic.StateMonitor(out, "V")
    return net, inp, mon


def test_a_constant_current_encoder_drives_its_targets_every_step():
    net, inp, mon = _current_net()
    net.build(backend=_float64())
    inp(np.array([[1.0, 3.0], [0.5, 0.5]]))
    net.run(0.3)
    # V = exp(-dt/tau_m)*V + W @ (amp*x), from the first step (no lag for a current)
    beta, drive = np.exp(-0.1 / 8.0), np.array([[2.0, 6.0, 4.0], [1.0, 1.0, 1.0]])
    assert np.allclose(mon.values[:, :, 0], drive, rtol=1e-12, atol=0)
    assert np.allclose(mon.values[:, :, 1], drive * (1 + beta), rtol=1e-12, atol=0)


def _delayed(max_delay=0.5, min_delay=0.5):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="null")
        relay = spaic.NeuronGroup(1, model="null")
        con = spaic.Connection(inp, relay, link_type="full", weight=np.array([[1.0]]),
                               max_delay=max_delay, min_delay=min_delay)
        mon = spaic.StateMonitor(relay, "O")
    net.build(backend="numpy")
    return net, inp, con, mon


def test_a_delay_holds_a_spike_back_by_its_steps():
    net, inp, con, mon = _delayed()                # 0.5 ms: 5 steps more
    spikes = np.zeros((1, 10, 1))
    spikes[0, 0, 0] = 1.0
    inp(spikes)
    net.run(1.0)
    assert np.flatnonzero(mon.values[0, 0]).tolist() == [1 + 5]


def test_delays_are_drawn_between_min_and_max_delay():
    np.random.seed(0)
    net = spaic.Network()
    with net:
        a, b = spaic.NeuronGroup(20, model="lif"), spaic.NeuronGroup(30, model="lif")
        con = spaic.Connection(a, b, link_type="full", max_delay=4.0)
    assert con.delay.shape == (30, 20)
    assert 1.0 <= con.delay.min() and con.delay.max() < 4.0


def test_a_new_run_has_no_spike_of_the_last_run_in_flight():
    net, inp, con, mon = _delayed()
    spikes = np.zeros((1, 3, 1))
    spikes[0, 2, 0] = 1.0                          # would arrive in the next run
    inp(spikes)
    net.run(0.3)
    inp(np.zeros((1, 10, 1)))
    net.run(1.0)
    assert not mon.values.any()


def _generated(method, data, steps=5, backend="numpy"):
    net = spaic.Network()
    with net:
        gen = spaic.Generator(num=2, coding_method=method)
        relay = spaic.NeuronGroup(2, model="lif", v_th=1e9)
        spaic.Connection(gen, relay, link_type="one_to_one", weight=np.eye(2))
        mon = spaic.StateMonitor(relay, "V")
    net.build(backend=backend)
    gen(data)
    net.run(steps * 0.1)
    return net, mon


def test_a_sin_generator_drives_its_target_with_its_definition():
    # the generator's value of step k reaches V in the update of step k + 1 (recorded
    # after it, as SPAIC records); V = exp(-dt/tau_m)*V + I
    net, mon = _generated("sin", [1.0, 1.0], steps=6, backend=_float64())
    wave = coding.generate_sin([1.0, 1.0], 6, 0.1, 2)[:, 0]
    beta, v, want = np.exp(-0.1 / 8.0), 0.0, [0.0]
    for k in range(5):
        v = beta * v + wave[k]
        want.append(v)
    assert np.allclose(mon.values[0, 0], want, rtol=1e-12, atol=1e-15)


def test_a_new_run_of_a_generator_starts_afresh():
    net, mon = _generated("sin", [1.0, 1.0])
    first = mon.values.copy()
    net.run(0.5)
    assert np.array_equal(mon.values, first)


def test_a_generator_without_input_is_refused():
    net = spaic.Network()
    with net:
        gen = spaic.Generator(num=2, coding_method="cc_generator")
        relay = spaic.NeuronGroup(2, model="lif")
        spaic.Connection(gen, relay, link_type="one_to_one")
    net.build(backend="numpy")
    with pytest.raises(ModelError, match="no input"):
        net.run(0.5)


def test_mstb_takes_a_batch_of_event_samples_from_a_spike_dataset():
    ds = spaic.CustomSpikeDataset([[0.15, 0.42, 0.9], [0.05]], [[0, 3, 1], [2]], [0, 1])
    data, _ = next(iter(spaic.Dataloader(ds, batch_size=2)))
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=4, coding_method="mstb")
        mon = spaic.SpikeMonitor(inp)
    net.build(backend="numpy")
    inp(data)
    net.run(1.0)
    # step int(t/dt) of each spike, each sample in its own instance
    assert [i.tolist() for i in mon.spk_index] == [[0, 3, 1], [2]]
    assert [np.rint(t / 0.1).astype(int).tolist() for t in mon.spk_times] == [[1, 4, 9], [0]]


#: (unit_conversion, datum of p = 1): SPAIC's default 1 (the dense model) and 0.1 (the
#: sparse one, drawing the steps between spikes)
MODELS = [(1.0, 10.0), (0.1, 100.0)]


@pytest.mark.parametrize("uc, one", MODELS)
def test_poisson_inputs_of_probability_zero_never_spike_and_of_one_or_more_always(uc, one):
    # p = x * unit_conversion * dt: 0, 1 and 2.5 (spikes every step, as SPAIC's rand <= p)
    net, inp, _, s_in, _ = _chain(n_in=3, unit_conversion=uc)
    inp(np.array([[0.0, one, 2.5 * one]]))
    net.run(2.0)
    assert s_in.spk_count.tolist() == [[0, 20, 20]]


@pytest.mark.parametrize("uc, one", MODELS)
def test_poisson_spikes_are_independent_from_step_to_step(uc, one):
    # the steps between spikes are geometric: P(gap = 1) = p, within binomial bounds
    net, inp, _, s_in, _ = _chain("cpu", n_in=100, unit_conversion=uc)
    inp(np.full((1, 100), 0.2 * one))                  # p = 0.2
    net.run(100.0)
    gaps = np.concatenate([np.diff(np.sort(np.rint(s_in.spk_times[0][s_in.spk_index[0] == k]
                                                   / 0.1))) for k in range(100)])
    n = gaps.size
    assert abs(np.mean(gaps == 1) - 0.2) < 5 * np.sqrt(0.2 * 0.8 / n)
    assert abs(gaps.mean() - 5.0) < 5 * np.sqrt(20.0 / n)        # mean 1/p, var (1-p)/p^2


def test_a_connection_may_carry_another_variable_of_its_source_as_a_current():
    # pre_var_name="V": the relay's Iext is set to w*V of the source at the start of each
    # step, and the null model's O is its input of the step: O (recorded at the start of
    # step k) = 2*V at the start of step k - 1
    net = spaic.Network()
    with net:
        enc = spaic.Encoder(num=1, coding_method="constant_current")
        src = spaic.NeuronGroup(1, model="lif", v_th=1e9)
        relay = spaic.NeuronGroup(1, model="null")
        spaic.Connection(enc, src, link_type="full", weight=np.array([[1.0]]))
        spaic.Connection(src, relay, link_type="full", weight=np.array([[2.0]]),
                         pre_var_name="V")
        v, o = spaic.StateMonitor(src, "V"), spaic.StateMonitor(relay, "O")
    net.build(backend="numpy")
    enc(np.array([[0.5]]))
    net.run(0.5)
    assert v.values[0, 0, 0] == 0.5
    assert np.allclose(o.values[0, 0, 1:], 2 * v.values[0, 0, :-1], rtol=1e-12, atol=0)


def test_a_connection_of_a_variable_its_source_lacks_is_refused():
    net = spaic.Network()
    with net:
        src = spaic.NeuronGroup(1, model="lif")
        relay = spaic.NeuronGroup(1, model="null")
        spaic.Connection(src, relay, link_type="full", pre_var_name="Q")
    with pytest.raises(ModelError, match="'Q'"):
        net.build(backend="numpy")


@pytest.mark.parametrize("model", ["clif", "aclif"])
def test_clif_runs_with_its_v0_clamped_to_one_as_spaic_063_runs_it(model):
    # SPAIC 0.6.3 bounds the trainable V0 (6.75 at the defaults) to [0, 1] and clamps it
    # at every run: a spike of weight 0.1 adds V0*0.1 = 0.1 to M, then M decays by
    # exp(-dt/tau_p) per step (tau_p = 12 ms); float64 sums, compared to 1e-12
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="poisson", unit_conversion=10.0)  # p = 1
        out = spaic.NeuronGroup(1, model=model)
        spaic.Connection(inp, out, link_type="full", weight=np.full((1, 1), 0.1))
        m = spaic.StateMonitor(out, "M")
    net.build(backend=_float64())
    inp(np.ones((1, 1)))
    net.run(0.5)
    beta, expected, M = np.exp(-0.1 / 12.0), [0.0], 0.0
    for _ in range(4):
        M = beta * M + 0.1
        expected.append(M)
    assert np.allclose(m.values[0, 0], expected, rtol=0, atol=1e-12)


def test_aclif_keeps_its_adaptive_threshold_through_a_new_run():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=1, coding_method="null")
        g = spaic.NeuronGroup(1, model="aclif")
        spaic.Connection(inp, g, link_type="full", weight=np.array([[50.0]]))
    net.build(backend="numpy")
    spikes = np.zeros((1, 50, 1))
    spikes[0, 0, 0] = 1.0
    inp(spikes)
    net.run(5.0)
    G = net._lowered.ps_of(g)
    vth1 = float(np.asarray(G.Vth1).ravel()[0])
    assert vth1 > 0.0                              # raised by the spike
    net.reset()
    assert float(np.asarray(G.Vth1).ravel()[0]) == vth1
    assert float(np.asarray(G.M).ravel()[0]) == 0.0


def test_a_network_built_on_a_backend_name_computes_in_float64():
    net, inp, out, _, _ = _chain("numpy")
    inp(np.full((1, 20), 0.5))
    net.run(1.0)
    assert net.backend.data_type == "float64"
    assert net._lowered.ps_of(out).V.dtype == np.float64


def test_a_torch_backend_of_data_type_float32_computes_in_float32():
    backend = spaic.Torch_Backend("cpu")
    backend.data_type = "float32"                  # SPAIC's default
    net, inp, out, _, _ = _chain(backend)
    inp(np.full((1, 20), 0.5))
    net.run(1.0)
    assert net._lowered.ps_of(out).V.dtype == np.float32


@pytest.mark.parametrize("data_type", ["float32", np.float32, "single"])
def test_setting_data_type_float32_rebuilds_in_float32(data_type):
    net, inp, out, _, _ = _chain()
    inp(np.full((1, 20), 0.5))
    net.run(1.0)
    net.backend.data_type = data_type              # SPAIC: backend.data_type = torch.float32
    net.run(1.0)
    assert net._lowered.ps_of(out).V.dtype == np.float32


def test_an_unknown_data_type_is_refused():
    with pytest.raises(ModelError) as e:
        spaic.Torch_Backend("cpu").data_type = "int8"
    assert e.value.symbol == "data_type"


def test_a_backend_named_at_build_keeps_the_data_type_chosen_before():
    net, inp, out, _, _ = _chain()
    net.backend.data_type = "float32"
    net.build(backend="cpu")
    inp(np.full((1, 20), 0.5))
    net.run(1.0)
    assert net._lowered.ps_of(out).V.dtype == np.float32
