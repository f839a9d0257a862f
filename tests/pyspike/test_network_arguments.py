"""Network and run arguments are checked where they are given, naming the argument."""
import math

import numpy as np
import pytest

import pyspike as ps


@pytest.mark.parametrize("dt", ["0.1", math.inf, math.nan, 0.0, -0.1, None, True, [0.1]])
def test_a_time_step_that_is_not_a_positive_finite_number_is_refused(dt):
    with pytest.raises(ps.ModelError, match="dt must be a positive, finite number"):
        ps.Network(dt=dt)


@pytest.mark.parametrize("flag", ["check_finite", "progress"])
def test_switches_take_true_or_false(flag):
    with pytest.raises(ps.ModelError, match=f"{flag} must be True or False"):
        ps.Network(**{flag: "yes"})


def _net():
    net = ps.Network(dt=0.1, backend="numpy")
    with net:
        ps.NeuronGroup(2, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    return net


@pytest.mark.parametrize("duration", [math.nan, math.inf, -1.0, "10", None, True])
def test_a_duration_that_is_not_a_finite_number_of_ms_is_refused_as_such(duration):
    with pytest.raises(ps.ModelError, match="duration of a run must be a finite number"):
        _net().run(duration)


def test_a_duration_off_the_time_grid_is_refused_naming_dt():
    with pytest.raises(ps.ModelError, match="not a whole number of steps of dt = 0.1"):
        _net().run(0.05)


def test_numpy_numbers_are_accepted_as_durations_and_time_steps():
    net = ps.Network(dt=np.float32(0.5), backend="numpy")
    with net:
        ps.NeuronGroup(2, ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0}))
    net.run(np.int64(2))
    assert net.step == 4
