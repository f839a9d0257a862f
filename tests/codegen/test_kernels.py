"""A group's step in the kernel IR: an update block on every neuron, in which the spike is
a statement (``_spike = threshold``), and a reset block on the neurons that spiked, in which
the refractory clock is a statement."""
import sympy as sp

from pyspike.codegen.ir import SPIKE
from pyspike.codegen.kernels import LASTSPIKE, NOT_REFRACTORY, build_network
from pyspike.codegen.spec import GroupSpec, NetworkSpec

v, v_th = sp.Symbol("v", real=True), sp.Symbol("v_th", real=True)
LIF = dict(equations="dv/dt = -v/tau : 1", params=("tau", "v_th"), threshold="v > v_th",
           reset="v = 0")


def _group(**kw):
    spec = dict(LIF)
    spec.update(kw)
    return build_network(NetworkSpec(groups=(GroupSpec("g", 4, **spec),))).groups[0]


def _targets(block):
    return [a.target.name for a in block.code]


def test_the_spike_is_the_statement_after_the_state_update():
    g = _group()
    assert _targets(g.update) == ["_new_v", "v", "_spike"]
    spike = g.update.code[-1]
    assert (spike.target, spike.expr, spike.ctype) == (SPIKE, v > v_th, "bool")


def test_the_threshold_is_read_from_the_spike_statement():
    assert _group().threshold == (v > v_th)


def test_a_group_without_a_threshold_has_no_spike_statement_and_no_reset():
    g = _group(threshold="", reset="")
    assert g.threshold is None and SPIKE.name not in _targets(g.update)
    assert g.reset.code == [] and not g.spikes


def test_poisson_inputs_come_after_the_spike_so_they_act_on_the_next_step():
    g = _group(inputs=("v",))
    assert _targets(g.update)[-2:] == ["_spike", "v"]
    assert [d.kind for d in g.update.draws] == ["uniform"]


def test_the_step_starts_the_refractory_clock_and_the_reset_kernel_holds_the_reset():
    g = _group(refractory=2.0)
    assert [a.target for a in g.on_spike.code] == [LASTSPIKE]
    assert [a.target for a in g.reset.code] == [v] and g.reset.stores == ["v"]


def test_a_refractory_condition_is_cleared_on_the_spike():
    g = _group(refractory="v > 0.5")
    assert g.on_spike.code[-1].target == NOT_REFRACTORY
    assert g.on_spike.code[-1].expr == sp.false


def test_while_refractory_the_neuron_cannot_spike():
    assert _group(refractory=2.0).threshold == sp.And(v > v_th, NOT_REFRACTORY)


def test_a_random_threshold_draws_in_the_update_block():
    g = _group(threshold="v > rand()")
    assert len(g.update.draws) == 1 and g.update.draws[0].kind == "uniform"
