"""bp.DSRunner, bm.for_loop and the dt/share conventions of pyspike.brainpy, on two small
groups whose LIF trajectories are known in closed form (exp_auto is exact for a constant
input: V(t) = V_rest + R*I + (V0 - V_rest - R*I)*exp(-t/tau))."""
import math

import numpy as np
import pytest

import pyspike.brainpy as bp
import pyspike.brainpy.math as bm
from pyspike.codegen.errors import ModelError

PARS = dict(V_rest=-60., V_th=-50., V_reset=-60., tau=20., tau_ref=5.)


@pytest.fixture(autouse=True)
def _global_dt():
    bm.set_dt(0.1)
    yield
    bm.set_dt(0.1)


class Pair(bp.DynSysGroup):
    """A (2 neurons, input ``inp``) projects onto B (3 neurons, input 9)."""

    def __init__(self, inp=30.):
        super().__init__()
        self.inp = inp
        self.A = bp.dyn.LifRef(2, V_initializer=bp.init.OneInit(-60.), **PARS)
        self.B = bp.dyn.LifRefLTC(3, V_initializer=bp.init.OneInit(-58.), **PARS)
        self.P = bp.dyn.ProjAlignPostMg2(pre=self.A, delay=None,
                                         comm=bp.dnn.AllToAll(2, 3, 1.0),
                                         syn=bp.dyn.Expon.desc(3, tau=5.),
                                         out=bp.dyn.COBA.desc(E=0.), post=self.B)

    def update(self, x=None):
        self.P()
        self.A(self.inp if x is None else x)
        self.B(9.)


def lif(v0, drive, t):
    """V of PARS' LIF after t ms of a constant input ``drive``."""
    return -60. + drive + (v0 + 60. - drive) * math.exp(-t / 20.)


#: The step whose update first takes A (input 30) over threshold: 20*ln(1.5) = 8.11 ms.
FIRST = 81


def test_a_spike_monitor_gives_a_boolean_array_of_steps_by_neurons():
    runner = bp.DSRunner(Pair(), monitors=['A.spike'], progress_bar=False)
    runner.run(10.)
    spikes = runner.mon['A.spike']
    assert spikes.shape == (100, 2) and spikes.dtype == bool
    assert np.flatnonzero(spikes[:, 0]).tolist() == [FIRST]


def test_a_state_monitor_records_each_step_as_its_update_leaves_it():
    runner = bp.DSRunner(Pair(inp=5.), monitors=['A.V'], progress_bar=False)
    runner.run(2.)
    expected = [lif(-60., 5., (k + 1) * 0.1) for k in range(20)]
    np.testing.assert_allclose(runner.mon['A.V'][:, 0], expected, rtol=0, atol=1e-9)


def test_monitor_indices_choose_the_neurons_recorded():
    runner = bp.DSRunner(Pair(), monitors=['B.V', ('B.spike', [2])], progress_bar=False)
    runner.run(12.)
    net = runner.target
    some = bp.DSRunner(net, monitors=[('B.V', [0, 2])], progress_bar=False)
    some.run(12., reset_state=True)
    np.testing.assert_array_equal(some.mon['B.V'], runner.mon['B.V'][:, [0, 2]])
    assert runner.mon['B.spike'].shape == (120, 1)


def test_a_dict_of_monitors_takes_variables_and_indices():
    net = Pair()
    runner = bp.DSRunner(net, monitors={'v': net.B.V, 's': (net.A.spike, [1])},
                         progress_bar=False)
    runner.run(10.)
    assert runner.mon['v'].shape == (100, 3) and runner.mon['s'].shape == (100, 1)
    assert runner.mon.v is runner.mon['v']


def test_ts_start_at_t0_and_go_on_across_runs():
    runner = bp.DSRunner(Pair(), monitors=['A.V'], t0=5., progress_bar=False)
    runner.run(1.)
    np.testing.assert_allclose(runner.mon.ts, 5. + 0.1 * np.arange(10))
    runner.run(0.5)
    np.testing.assert_allclose(runner.mon['ts'], 6. + 0.1 * np.arange(5))
    assert runner.mon['A.V'].shape == (5, 2)


def test_a_function_as_a_monitor_is_refused_naming_the_feature():
    with pytest.raises(bp.FeatureError, match="a function as a monitor"):
        bp.DSRunner(Pair(), monitors={'x': lambda: 0.}, progress_bar=False)


def test_a_monitor_of_an_unknown_name_says_what_it_names():
    with pytest.raises(ModelError, match="'A.W' names nothing"):
        bp.DSRunner(Pair(), monitors=['A.W'], progress_bar=False)


def test_a_fixed_runner_input_acts_on_its_variable_before_every_update():
    runner = bp.DSRunner(Pair(inp=0.), monitors=['A.V'], inputs=[('A.V', 1., 'fix', '+')],
                         progress_bar=False)
    runner.run(0.2)
    first = lif(-59., 0., 0.1)
    np.testing.assert_allclose(runner.mon['A.V'][:, 0], [first, lif(first + 1., 0., 0.1)],
                               atol=1e-9)


def test_an_iter_runner_input_gives_each_step_its_row():
    rows = np.array([-55., -52., -58.])
    runner = bp.DSRunner(Pair(inp=0.), monitors=['A.V'], inputs=[('A.V', rows, 'iter', '=')],
                         progress_bar=False)
    runner.run(0.3)
    np.testing.assert_allclose(runner.mon['A.V'][:, 1], [lif(v, 0., 0.1) for v in rows],
                               atol=1e-9)


def test_a_func_runner_input_is_called_with_the_shared_arguments():
    seen = []
    runner = bp.DSRunner(Pair(inp=0.), monitors=['A.V'],
                         inputs=[('A.V', lambda sh: seen.append(sh['dt']) or 2., 'func', '-')],
                         progress_bar=False)
    runner.run(0.2)
    assert seen == [0.1, 0.1]
    np.testing.assert_allclose(runner.mon['A.V'][0, 0], lif(-62., 0., 0.1), atol=1e-9)


def test_an_iter_input_shorter_than_the_run_is_refused():
    runner = bp.DSRunner(Pair(), inputs=[('A.V', np.zeros(3), 'iter')], progress_bar=False)
    with pytest.raises(ModelError, match="3 steps, fewer than the run's 10"):
        runner.run(1.)


def test_run_inputs_give_update_one_row_per_step():
    runner = bp.DSRunner(Pair(), monitors=['A.spike'], progress_bar=False)
    runner.run(inputs=np.r_[np.zeros(50), np.full(100, 30.)])
    assert runner.mon['A.spike'].shape == (150, 2)
    assert np.flatnonzero(runner.mon['A.spike'][:, 0]).tolist() == [50 + FIRST]


def test_eval_time_returns_the_seconds_and_what_update_returns():
    class Returns(Pair):
        def update(self, x=None):
            super().update(x)
            return self.A.spike

    seconds, out = bp.DSRunner(Returns(), progress_bar=False).run(10., eval_time=True)
    assert seconds > 0 and out.shape == (100, 2) and out[FIRST, 0]


def test_reset_state_runs_again_from_the_initial_state():
    net = Pair()
    runner = bp.DSRunner(net, monitors=['B.V'], progress_bar=False)
    runner.run(12.)
    first = runner.mon['B.V'].copy()
    runner.run(12., reset_state=True)
    np.testing.assert_array_equal(runner.mon['B.V'], first)
    assert runner.mon.ts[0] == 0.


def test_a_model_whose_update_changes_between_runs_is_refused():
    class Switch(Pair):
        def update(self, x=None):
            if self.__dict__.setdefault("runs", 0):
                self.A(30.)
                self.B(9.)
            else:
                super().update(x)
            self.runs += 1

    runner = bp.DSRunner(Switch(), progress_bar=False)
    runner.run(1.)
    with pytest.raises(ModelError, match="compiles the step of the first run"):
        runner.run(1.)


def test_the_global_dt_is_the_step_of_runners_made_after_it():
    bm.set_dt(0.5)
    assert bm.get_dt() == 0.5 and bm.dt == 0.5 and bp.share.load('dt') == 0.5
    runner = bp.DSRunner(Pair(), monitors=['A.V'], progress_bar=False)
    runner.run(2.)
    np.testing.assert_allclose(runner.mon.ts, [0., 0.5, 1., 1.5])
    np.testing.assert_allclose(runner.mon['A.V'][0, 0], lif(-60., 30., 0.5), atol=1e-9)


def test_an_environment_sets_dt_for_its_block_only():
    with bm.environment(dt=0.25):
        assert bm.get_dt() == 0.25
    assert bm.get_dt() == 0.1


def test_a_runner_dt_other_than_the_global_one_is_refused():
    with pytest.raises(bp.FeatureError, match="bm.set_dt"):
        bp.DSRunner(Pair(), dt=0.2)


def test_share_holds_the_time_of_the_last_step_after_a_run():
    bp.DSRunner(Pair(), progress_bar=False).run(1.)
    assert bp.share['t'] == pytest.approx(0.9) and bp.share.load('i') == 9


def test_reading_the_time_inside_update_is_refused_naming_the_way_out():
    class Timed(Pair):
        def update(self, x=None):
            self.A(30. if bp.share.load('t') < 5 else 0.)

    with pytest.raises(bp.FeatureError, match="inputs=array"):
        bp.DSRunner(Timed(), progress_bar=False).run(1.)


def test_for_loop_runs_step_run_once_per_index_and_stacks_what_it_returns():
    class Returns(Pair):
        def update(self, x=None):
            super().update(x)
            return self.A.spike, self.B.V

    net = Returns()
    spikes, volts = bm.for_loop(lambda i: net.step_run(i, 30.), bm.arange(100))
    assert spikes.shape == (100, 2) and volts.shape == (100, 3)
    assert np.flatnonzero(spikes[:, 0]).tolist() == [FIRST]


def test_for_loop_over_a_function_that_runs_no_model_is_refused():
    with pytest.raises(bp.FeatureError, match="runs no model"):
        bm.for_loop(lambda i: i * 2, np.arange(3))


def test_calling_a_model_outside_a_run_is_refused():
    with pytest.raises(bp.FeatureError, match="outside a run"):
        Pair()()
