"""Quantities with units (ps.units, Brian2's) are converted to base units where given."""
import numpy as np
import pytest

import pyspike as ps
from pyspike import units as u
from pyspike.codegen.units import dimension

LEAK = "dv/dt = (v_rest - v)/tau : mV"


class Brian2Like(np.ndarray):
    """What pyspike reads of a Brian2 quantity: an SI-valued array with dim._dims."""

    def __new__(cls, si, dims):
        obj = np.asarray(si, dtype=float).view(cls)
        obj.dim = type("Dimension", (), {"_dims": tuple(dims)})()
        return obj


def test_the_base_units_are_coherent():
    assert (10 * u.nS * u.mV).unit_text == "pA"
    assert (1 * u.pA / u.pF).unit_text == "mV/ms"
    assert float((2 * u.nA).base()) == 2000.0
    assert float((1 * u.mV / u.pA).base()) == 1.0           # Gohm


def test_base_units_convert_exactly():
    assert (200 * u.pF).base() == 200.0
    assert (-65 * u.mV).base() == -65.0
    assert (0.02 * u.second).base() == 20.0


def test_a_quantity_in_params_is_converted_to_base_units():
    m = ps.NeuronModel(LEAK, params={"v_rest": -0.065 * u.volt, "tau": 10 * u.ms})
    assert m.params == {"v_rest": -65.0, "tau": 10.0}


def test_a_quantity_of_the_wrong_dimension_in_params_is_refused():
    with pytest.raises(ps.ModelError, match="'tau' is given in mV, but the model uses it in ms"):
        ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": 10 * u.mV})


def test_setting_a_variable_to_a_quantity_converts_and_checks_it():
    G = ps.NeuronGroup(2, ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": 10.0}))
    G.v = -0.07 * u.volt
    assert np.allclose(G.v, -70.0, rtol=1e-15)
    with pytest.raises(ps.ModelError, match="v is given in pA, but the model uses it in mV"):
        G.v = 3 * u.pA


def test_an_array_times_a_unit_is_a_quantity():
    G = ps.NeuronGroup(3, ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": 10.0}))
    G.tau = np.array([5.0, 10.0, 20.0]) * u.ms
    assert list(G.tau) == [5.0, 10.0, 20.0]


def test_durations_take_quantities_in_any_unit_of_time():
    net = ps.Network(dt=100 * u.us, backend="numpy")
    with net:
        ps.NeuronGroup(1, ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": 10.0}))
    net.run(0.001 * u.second)
    assert net.dt == pytest.approx(0.1, rel=1e-15) and net.t == pytest.approx(1.0)


def test_a_duration_in_the_wrong_unit_is_refused():
    with pytest.raises(ps.ModelError, match="dt must be in ms, not in mV"):
        ps.Network(dt=0.1 * u.mV)


def test_poisson_rates_stay_in_hz():
    assert float(ps.PoissonGroup(2, rates=5 * u.Hz).rates) == 5.0
    assert float(ps.PoissonGroup(2, rates=0.005 * u.kHz).rates) == pytest.approx(5.0,
                                                                                 rel=1e-15)


def test_a_refractory_period_may_be_a_quantity():
    m = ps.NeuronModel(LEAK + " (unless refractory)", threshold="v > -50", reset="v = -65",
                       refractory=2 * u.ms, params={"v_rest": -65.0, "tau": 10.0})
    assert m.refractory == 2.0


def test_a_synaptic_delay_may_be_a_quantity():
    m = ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": 10.0})
    with ps.Network(dt=0.1, backend="numpy"):
        A, B = ps.NeuronGroup(2, m), ps.NeuronGroup(2, m)
        S = ps.Synapses(A, B, on_pre="v_post += 1", delay=1.5 * u.ms)
        S.connect(i=[0], j=[1])
    assert float(np.asarray(S.delay).ravel()[0]) == 1.5


def test_a_brian2_quantity_is_read_by_its_dimension():
    nS = Brian2Like(10e-9, (-2, -1, 3, 2, 0, 0, 0))          # 10 nS, in siemens
    m = ps.NeuronModel("dv/dt = g*(E - v)/C : mV", params={"g": nS, "E": 0.0, "C": 200.0})
    assert m.params["g"] == pytest.approx(10.0, rel=1e-12)


def test_a_brian2_quantity_of_the_wrong_dimension_is_refused():
    volt = Brian2Like(-0.065, (2, 1, -3, -1, 0, 0, 0))
    with pytest.raises(ps.ModelError, match="'tau' is given in mV"):
        ps.NeuronModel(LEAK, params={"v_rest": -65.0, "tau": volt})


def test_quantities_of_different_units_do_not_add():
    with pytest.raises(ps.ModelError, match="cannot add quantities in mV and pA"):
        (1 * u.mV) + (1 * u.pA)


def test_units_cancel_to_plain_numbers():
    assert (10 * u.ms) / (2 * u.ms) == 5.0


def test_every_exported_unit_has_the_dimension_of_its_name():
    for name in ("ms", "mV", "pA", "nA", "nS", "uS", "pF", "nF", "Mohm", "Hz", "mM", "um"):
        assert getattr(u, name).dim == dimension(name)
