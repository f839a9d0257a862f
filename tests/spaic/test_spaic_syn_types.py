"""SPAIC's synapse types (syn_type chains) and the dist_depd link type on pyspike.

Each trace is checked against a NumPy loop that follows SPAIC 0.6.3's op list (the
connection's operations of step t read the source's O and V of step t - 1; ``lif``:
V = exp(-dt/tau_m)*V + Isyn, a spike when V > 1, then V = 0), and once against numbers
SPAIC 0.6.3 itself gave (run in its own environment; the tests do not import spaic).
pyspike.spaic's StateMonitor records each step's values after the step, as SPAIC's: its
sample k is SPAIC's value after step k (the traces here leave out a run's last step).
The loops compute in float64, and so do the networks compared with them to 1e-12
(``_float64``, pyspike.spaic's default); those compared with SPAIC's numbers compute in
float32, SPAIC's default (``_float32``).
"""
import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError

W = np.array([[0.5, 0.25], [1.0, -0.5]])          # (post, pre)
BETA = np.exp(-0.1 / 8.0)                           # lif, tau_m = 8 ms, dt = 0.1 ms


def _float64(name="numpy"):
    """A float64 backend (the default, named for the tests that compare with the float64
    loops to 1e-12: float32 rounds each step at ~6e-8)."""
    return spaic.Backend(name, data_type="float64")


def _float32(name="numpy"):
    """A float32 backend, as SPAIC computes: for the comparisons with SPAIC's numbers."""
    return spaic.Backend(name, data_type="float32")


def _spikes(batch=1, steps=9):
    x = np.zeros((batch, steps, 2))
    x[:, 0, 0] = x[:, 2, 1] = x[:, 3, 0] = 1.0      # SPAIC's runs below: the same spikes
    return x


def _run(syn_type, spikes, weight=W, syn_kwargs=None, backend="numpy", coding="null",
         link_type="full", **group):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=weight.shape[1], coding_method=coding)
        out = spaic.NeuronGroup(weight.shape[0], model="lif", **group)
        con = spaic.Connection(inp, out, link_type=link_type, syn_type=syn_type,
                               weight=weight, syn_kwargs=syn_kwargs)
        mon = spaic.StateMonitor(out, "V")
    net.build(backend=backend)
    inp(spikes)
    net.run(spikes.shape[1] * 0.1 if coding == "null" else 0.9)
    return mon.values[..., :-1], net, con, inp, mon    # SPAIC's V after steps 0, 1, ...


def _lif(V, isyn, v_th=1.0):
    V = BETA * V + isyn
    return np.where(V > v_th, 0.0, V)


def _reference(kinds, spikes, weight=W, taus=None, v_th=1.0):
    """SPAIC's op list, step by step: each type of the chain writes Isyn, summed."""
    taus = {"tau": 2.0, "tau_r": 9.0, "tau_d": 2.0, **(taus or {})}
    batch, steps, _ = spikes.shape
    V = np.zeros((batch, weight.shape[0]))
    state = {k: np.zeros_like(V) for k in ("R1", "R", "D")}
    previous = np.zeros((batch, weight.shape[1]))   # the input of the step before
    out = []
    for t in range(steps - 1):
        wsum, isyn = previous @ weight.T, np.zeros_like(V)
        for kind in kinds:
            if kind == "basic":
                isyn += wsum
            elif kind == "1_order_synapse":
                state["R1"] = np.exp(-0.1 / taus["tau"]) * state["R1"] + wsum
                isyn += state["R1"]
            elif kind == "2_order_synapse":
                state["R"] = np.exp(-0.1 / taus["tau_r"]) * state["R"] + wsum
                state["D"] = np.exp(-0.1 / taus["tau_d"]) * state["D"] + wsum
                isyn += state["R"] - state["D"]
            elif kind == "directpass":
                isyn += previous
        V = _lif(V, isyn, v_th)
        out.append(V)
        previous = spikes[:, t]
    return np.stack(out, axis=-1)


# -- first- and second-order synapses ---------------------------------------------------
@pytest.mark.parametrize("kinds", [["1_order_synapse"], ["2_order_synapse"],
                                   ["basic", "1_order_synapse"], ["2_order_synapse", "basic"]])
def test_filtered_synapses_give_the_trace_of_spaics_op_list(kinds):
    got = _run(kinds, _spikes(), backend=_float64())[0]
    assert np.allclose(got, _reference(kinds, _spikes()), rtol=1e-12, atol=1e-15)


def test_filtered_synapses_give_the_traces_spaic_0_6_3_gave():
    # SPAIC 0.6.3 (float32), the same network: V of the two lif neurons after steps 0..7
    spaic_1st = [[0.0, 0.5, 0.9694036, 0.0, 0.0, 0.0, 0.0, 0.0],
                 [0.0, 1.0, 0.0, 0.4048375, 0.0, 0.0, 0.0, 0.0]]
    spaic_2nd = [[0.0, 0.0, 0.0188605, 0.0552188, 0.1172172, 0.2218169, 0.3658606, 0.5463637],
                 [0.0, 0.0, 0.0377209, 0.1104377, 0.1967133, 0.3331957, 0.5161467, 0.7420326]]
    spaic_tau5 = [[0.0, 0.5, 0.9838883, 0.0, 0.0, 0.0, 0.0, 0.0],
                  [0.0, 1.0, 0.0, 0.4607894, 0.0, 0.0, 0.0, 0.0]]
    for kinds, kwargs, want in ((["1_order_synapse"], None, spaic_1st),
                                (["2_order_synapse"], None, spaic_2nd),
                                (["1_order_synapse"], {"tau": 5.0}, spaic_tau5)):
        got = _run(kinds, _spikes(), syn_kwargs=kwargs, backend=_float32())[0][0]
        # both in float32, SPAIC's printed to 7 decimals: within 1e-7 (5e-8 seen; a
        # float64 run is 9e-7 off, SPAIC's float32 R - D losing digits to cancellation)
        assert np.allclose(got, want, rtol=0, atol=1e-7)


def test_syn_kwargs_set_the_time_constants():
    taus = {"tau_r": 4.0, "tau_d": 1.5}
    got = _run(["2_order_synapse"], _spikes(), syn_kwargs=taus, backend=_float64())[0]
    assert np.allclose(got, _reference(["2_order_synapse"], _spikes(), taus=taus),
                       rtol=1e-12, atol=1e-15)
    assert not np.allclose(got, _reference(["2_order_synapse"], _spikes()))


def test_a_filter_starts_from_zero_at_each_new_run():
    _, net, _, _, mon = _run(["1_order_synapse"], _spikes())
    first = mon.values.copy()
    net.run(0.9)
    assert np.array_equal(mon.values, first)


def test_a_filter_of_a_current_source_follows_spaic_relative_to_its_input():
    # a constant current x = (1, 3) from the first step: R(k) = a R(k-1) + W x (no lag
    # for a current in pyspike's encoder); V = beta V + R
    got = _run(["1_order_synapse"], np.array([[1.0, 3.0]]), coding="constant_current",
               backend=_float64(), v_th=1e9)[0][0]
    a, drive = np.exp(-0.1 / 2.0), W @ np.array([1.0, 3.0])
    R, V, want = np.zeros(2), np.zeros(2), []
    for _ in range(8):
        R = a * R + drive
        V = BETA * V + R
        want.append(V)
    assert np.allclose(got, np.array(want).T, rtol=1e-12, atol=0)


# -- flatten and directpass -------------------------------------------------------------
def test_flatten_changes_nothing():
    flat = _run(["flatten", "basic"], _spikes())[0]
    assert np.array_equal(flat, _run(["basic"], _spikes())[0])


def test_directpass_passes_input_i_to_neuron_i_unweighted():
    for kinds in (["directpass"], ["basic", "directpass"]):
        got = _run(kinds, _spikes(), backend=_float64())[0]
        assert np.allclose(got, _reference(kinds, _spikes()), rtol=1e-12, atol=1e-15)


def test_directpass_carries_a_current_each_step():
    got = _run(["directpass"], np.array([[1.0, 3.0]]), coding="constant_current",
               backend=_float64(), v_th=1e9)[0][0]
    want = np.array([[sum(BETA ** j for j in range(k + 1)) * x for k in range(8)]
                     for x in (1.0, 3.0)])
    assert np.allclose(got, want, rtol=1e-12, atol=0)


# -- electrical synapses ----------------------------------------------------------------
WE = np.array([[0.1, 0.2], [0.3, 0.05], [0.0, 0.15]])      # (B, A) gap conductances


def _gap_net(self_loop=False, backend="numpy", weight=None):
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="null")
        A = spaic.NeuronGroup(2, model="lif")
        B = spaic.NeuronGroup(3, model="lif")
        spaic.Connection(inp, A, link_type="full", weight=np.array([[0.7, 0.0], [0.0, 0.4]]))
        spaic.Connection(inp, B, link_type="full",
                         weight=np.array([[0.3, 0.0], [0.0, 0.6], [0.2, 0.2]]))
        w = weight if weight is not None else \
            np.array([[0.0, 0.1], [0.2, 0.0]]) if self_loop else WE
        gap = spaic.Connection(A, A if self_loop else B, link_type="full",
                               syn_type="electrical", weight=w)
        mons = spaic.StateMonitor(A, "V"), spaic.StateMonitor(B, "V")
    net.build(backend=backend)
    return net, inp, gap, mons


def _gap_spikes(batch=1):
    x = np.zeros((batch, 9, 2))
    x[:, 0, 0] = x[:, 1, 1] = x[:, 3, 0] = x[:, 4, 1] = x[:, 5, 0] = 1.0
    return x


def _gap_reference(spikes, gap, self_loop=False):
    batch = spikes.shape[0]
    wa, wb = np.array([[0.7, 0.0], [0.0, 0.4]]), np.array([[0.3, 0.0], [0.0, 0.6], [0.2, 0.2]])
    VA, VB, previous, out = np.zeros((batch, 2)), np.zeros((batch, 3)), 0 * spikes[:, 0], []
    for t in range(spikes.shape[1] - 1):
        ia, ib = previous @ wa.T, previous @ wb.T
        post = VA if self_loop else VB               # both read V of the step before
        to_post = np.einsum("ij,bij->bi", gap, VA[:, None, :] - post[:, :, None])
        to_pre = np.einsum("ij,bij->bj", gap, post[:, :, None] - VA[:, None, :])
        if self_loop:
            ia = ia + to_post + to_pre
        else:
            ia, ib = ia + to_pre, ib + to_post
        VA, VB = _lif(VA, ia), _lif(VB, ib)
        out.append((VA, VB))
        previous = spikes[:, t]
    return [np.stack([o[k] for o in out], axis=-1) for k in (0, 1)]


@pytest.mark.parametrize("self_loop", [False, True])
def test_electrical_synapses_couple_both_ends_by_spaics_op_list(self_loop):
    net, inp, gap, mons = _gap_net(self_loop, _float64())
    inp(_gap_spikes())
    net.run(0.9)
    want = _gap_reference(_gap_spikes(), gap.weight, self_loop)
    for mon, w in zip(mons, want):
        assert np.allclose(mon.values[..., :-1], w, rtol=1e-12, atol=1e-15)


def test_electrical_synapses_give_the_traces_spaic_0_6_3_gave():
    # SPAIC 0.6.3 (float32), the same network: V of A (2) and B (3) after steps 0..7
    spaic_a = [[0.0, 0.7, 0.4413044, 0.529928, 0.0, 0.2499743, 0.9011866, 0.6532158],
               [0.0, 0.0, 0.49, 0.4387951, 0.4151091, 0.8960187, 0.7479587, 0.7656871]]
    spaic_b = [[0.0, 0.3, 0.2762733, 0.3320899, 0.6690894, 0.5430729, 0.877606, 0.8431328],
               [0.0, 0.0, 0.8100001, 0.6733294, 0.610218, 0.0, 0.1197932, 0.3841315],
               [0.0, 0.2, 0.3675156, 0.3813229, 0.5852069, 0.7524226, 0.9646153, 0.9201342]]
    net, inp, _, (ma, mb) = _gap_net(backend=_float32())
    inp(_gap_spikes())
    net.run(0.9)
    assert np.allclose(ma.values[0, :, :-1], spaic_a, rtol=0, atol=2e-7)
    assert np.allclose(mb.values[0, :, :-1], spaic_b, rtol=0, atol=2e-7)


def test_setting_the_weight_of_an_electrical_synapse_changes_both_directions():
    net, inp, gap, mons = _gap_net(backend=_float64())
    gap.weight = 2 * WE
    inp(_gap_spikes())
    net.run(0.9)
    want = _gap_reference(_gap_spikes(), 2 * WE)
    assert np.array_equal(gap.weight, 2 * WE)
    for mon, w in zip(mons, want):
        assert np.allclose(mon.values[..., :-1], w, rtol=1e-12, atol=1e-15)


def test_two_current_connections_onto_one_group_add_up():
    net = spaic.Network()
    with net:
        a = spaic.Encoder(num=2, coding_method="constant_current")
        b = spaic.Encoder(num=1, coding_method="constant_current")
        out = spaic.NeuronGroup(1, model="lif", v_th=1e9)
        spaic.Connection(a, out, link_type="full", weight=np.array([[1.0, 2.0]]))
        spaic.Connection(b, out, link_type="full", weight=np.array([[4.0]]))
        mon = spaic.StateMonitor(out, "V")
    net.build(backend=_float64())
    a(np.array([[1.0, 1.0]]))
    b(np.array([[0.5]]))
    net.run(0.3)
    assert np.allclose(mon.values[0, 0, :-1], [5.0, 5.0 * (1 + BETA)], rtol=1e-12, atol=0)


# -- batches and backends ---------------------------------------------------------------
def test_a_batch_gives_for_each_sample_what_it_gives_alone():
    x = (np.random.default_rng(2).random((3, 20, 2)) < 0.3).astype(float)

    def run(spikes):
        net = spaic.Network()
        with net:
            inp = spaic.Encoder(num=2, coding_method="null")
            A = spaic.NeuronGroup(2, model="lif")
            B = spaic.NeuronGroup(3, model="lif")
            spaic.Connection(inp, A, link_type="full", syn_type="2_order_synapse",
                             weight=np.array([[3.0, 0.5], [0.5, 3.0]]))
            spaic.Connection(inp, B, link_type="full", syn_type=["basic", "1_order_synapse"],
                             weight=np.full((3, 2), 0.4))
            spaic.Connection(A, B, link_type="full", syn_type="electrical", weight=WE)
            spaic.Connection(A, A, link_type="full", syn_type="electrical",
                             weight=np.array([[0.0, 0.1], [0.2, 0.0]]))
            mons = spaic.StateMonitor(A, "V"), spaic.StateMonitor(B, "V")
        net.build(backend="cpu")
        inp(spikes)
        net.run(2.0)
        return [m.values for m in mons]

    batched = run(x)
    for b in range(3):
        for alone, together in zip(run(x[b:b + 1]), batched):
            assert np.array_equal(alone[0], together[b])


# -- dist_depd --------------------------------------------------------------------------
def _placed():
    a, b = spaic.NeuronGroup(3, model="lif"), spaic.NeuronGroup(2, model="lif")
    a.position = np.array([[0.0, 0.0], [0.1, 0.2], [0.5, 0.5]])
    b.position = np.array([[0.0, 0.0], [0.3, 0.1]])
    return a, b


def test_dist_depd_weights_are_spaics():
    # SPAIC 0.6.3's DistDepd_connect on these positions (float64)
    spaic_default = [[-0.375, -0.09198959247065554, 0.006767625369349784],
                     [-0.0461720251930293, -0.09198959247065555, -0.012573725911223133]]
    spaic_args = [[0.0, 0.18849542161282098, 0.014511165462079019],
                  [0.12608190267254074, 0.18849542161282104, 0.06837315650644735]]
    spaic_ring = [[-0.375, -0.09198959247065554, -0.1587607830318],
                  [-0.0461720251930293, -0.09198959247065555, -0.05992478079270214]]
    a, b = _placed()
    for kw, want in (({}, spaic_default),
                     (dict(zero_self=True, dist_a=0.3, dist_b=0.5, w_amp=0.2), spaic_args),
                     (dict(dist_function="circular", pos_range=0.6), spaic_ring)):
        con = spaic.Connection(a, b, link_type="dist_depd", **kw)
        assert np.allclose(con.weight, want, rtol=1e-14, atol=0)
        assert con.n_synapses == 6                     # SPAIC's matrix is dense


def test_dist_depd_keeps_weights_with_probability_p_from_numpys_generator():
    a, b = _placed()
    np.random.seed(7)
    con = spaic.Connection(a, b, link_type="dist_depd", p=0.5)
    np.random.seed(7)
    keep = np.random.rand(2, 3) < 0.5
    full = spaic.Connection(a, b, link_type="dist_depd").weight
    assert np.array_equal(con.weight, full * keep)


def test_a_dist_depd_network_runs_its_weights():
    a, b = _placed()
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=3, coding_method="null")
        net.a, net.b = a, b
        spaic.Connection(inp, a, link_type="one_to_one", weight=np.eye(3) * 2.0)
        con = spaic.Connection(a, b, link_type="dist_depd", w_amp=-1.0)
        mon = spaic.StateMonitor(b, "V")
    net.build(backend=_float64())
    x = np.zeros((1, 4, 3))
    x[0, 0] = 1.0                                      # a fires at step 1, b reads it at 2
    inp(x)
    net.run(0.4)
    assert np.allclose(mon.values[0, :, 2], con.weight.sum(axis=1), rtol=1e-12, atol=0)


def test_dist_depd_without_positions_is_refused():
    a, b = spaic.NeuronGroup(3, model="lif"), spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError) as err:
        spaic.Connection(a, b, link_type="dist_depd")
    assert err.value.symbol == "neuron_position"


# -- save and load ----------------------------------------------------------------------
def test_the_structure_file_keeps_syn_type_syn_kwargs_and_positions(tmp_path):
    a, b = _placed()
    net = spaic.Network()
    with net:
        net.a, net.b = a, b
        net.con = spaic.Connection(a, b, link_type="dist_depd", syn_type="2_order_synapse",
                                   syn_kwargs={"tau_r": 4.0})
    spaic.network_save(net, "n", path=str(tmp_path))
    loaded = spaic.network_load("n", path=str(tmp_path))
    con = loaded._connections["con"]
    assert con.syn_type == ["2_order_synapse"] and con.syn_kwargs == {"tau_r": 4.0}
    assert np.array_equal(loaded._groups["a"].position, a.position)
    assert np.array_equal(con.weight, net.con.weight)


# -- refused input ----------------------------------------------------------------------
def test_an_electrical_synapse_from_a_node_is_refused():
    inp, g = spaic.Encoder(num=2, coding_method="null"), spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError, match="potentials V") as err:
        spaic.Connection(inp, g, link_type="full", syn_type="electrical")
    assert err.value.symbol == "electrical"


def test_an_unknown_time_constant_is_refused_by_name():
    a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError, match="tau_r") as err:
        spaic.Connection(a, b, syn_type="1_order_synapse", syn_kwargs={"tau_r": 3.0})
    assert err.value.symbol == "tau_r"
    with pytest.raises(ModelError) as err:
        spaic.Connection(a, b, syn_type="1_order_synapse", syn_kwargs={"tau": -1.0})
    assert err.value.symbol == "tau"


def test_syn_types_not_built_and_unknown_ones_are_refused():
    a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(2, model="lif")
    with pytest.raises(ModelError, match="not built yet") as err:
        spaic.Connection(a, b, syn_type=["conv", "maxpool"])
    assert err.value.symbol == "conv"
    with pytest.raises(ModelError, match="unknown syn_type") as err:
        spaic.Connection(a, b, syn_type="3_order_synapse")
    assert err.value.symbol == "3_order_synapse"
    with pytest.raises(ModelError, match="flatten only reshapes"):
        spaic.Connection(a, b, syn_type="flatten")


def test_directpass_between_groups_of_other_sizes_is_refused():
    a, b = spaic.NeuronGroup(2, model="lif"), spaic.NeuronGroup(3, model="lif")
    with pytest.raises(ModelError) as err:
        spaic.Connection(a, b, syn_type="directpass")
    assert err.value.symbol == "directpass"


def test_a_learner_on_a_filtered_connection_is_refused():
    net = spaic.Network()
    with net:
        inp = spaic.Encoder(num=2, coding_method="poisson")
        out = spaic.NeuronGroup(2, model="lif")
        con = spaic.Connection(inp, out, link_type="full", syn_type="1_order_synapse")
        spaic.Learner(trainable=[con], algorithm="full_online_stdp")
    with pytest.raises(ModelError, match="syn_type 'basic'"):
        net.build(backend="numpy")


def test_neuron_position_gives_dist_depd_the_coordinates_of_each_neuron():
    a, b = _placed()
    given = spaic.NeuronGroup(3, model="lif", neuron_position=a.position)
    other = spaic.NeuronGroup(2, model="lif", neuron_position=b.position.tolist())
    np.testing.assert_array_equal(spaic.Connection(given, other, link_type="dist_depd").weight,
                                  spaic.Connection(a, b, link_type="dist_depd").weight)


def test_a_neuron_position_of_another_length_is_refused():
    with pytest.raises(ModelError) as e:
        spaic.NeuronGroup(3, model="lif", neuron_position=[[0.0, 1.0]])
    assert e.value.symbol == "neuron_position"
