"""codegen.refractoriness: the lowering pass of a ``refractory`` spec, read in the kernel IR
(an array, a statement at the start of the update, held variables, a guarded threshold,
the refractory clock in the reset) and through the pass's own functions."""
import sympy as sp

from pyspike.codegen.equations import DT, symbol
from pyspike.codegen.expressions import StepBound
from pyspike.codegen.ir import Assign
from pyspike.codegen.kernels import build_network
from pyspike.codegen.refractoriness import (LASTSPIKE, NOT_REFRACTORY, STEP, clock_statements,
                                            guard, hold, refractory_symbols)
from pyspike.codegen.spec import GroupSpec, NetworkSpec, SynapsesSpec

v, w, v_th = symbol("v"), symbol("w"), symbol("v_th")
LIF = dict(equations="dv/dt = -v/tau : 1 (unless refractory)\ndw/dt = -w/tau : 1",
           params=("tau", "v_th"), threshold="v > v_th", reset="v = 0")


def _group(**kw):
    spec = dict(LIF)
    spec.update(kw)
    return build_network(NetworkSpec(groups=(GroupSpec("g", 4, **spec),))).groups[0]


def _assign(block, target):
    return next(a for a in block.code if a.target == target)


def test_a_timed_refractory_period_adds_an_int32_lastspike_array():
    a = _group(refractory=2.0).arrays["lastspike"]
    assert (a.ctype, a.role) == ("int32", "lastspike")


def test_a_refractory_condition_adds_a_uint8_not_refractory_flag():
    a = _group(refractory="v > 0.5").arrays["not_refractory"]
    assert (a.ctype, a.role) == ("uint8", "not_refractory")


def test_a_group_without_refractoriness_has_no_refractory_array_and_no_flag():
    for refractory in (None, 0.0):
        g = _group(refractory=refractory)
        assert g.refractory is None
        assert not {"lastspike", "not_refractory"} & set(g.arrays)
        assert NOT_REFRACTORY not in [a.target for a in g.update.code]


def test_the_refractory_array_is_laid_out_after_the_models_variables():
    g = _group(refractory=2.0)
    assert g.arrays["lastspike"].slot == max(g.arrays[n].slot for n in ("v", "w")) + 1


def test_the_timed_refractory_clock_stores_the_next_step_on_the_spike():
    clock = _group(refractory=2.0).on_spike.code[0]
    assert (clock.target, clock.expr, clock.ctype, clock.declare) == (
        LASTSPIKE, STEP + 1, "int64", False)


def _steps(g):
    """The refractory period in steps: the bound of the flag, hoisted as a run scalar."""
    (bound,) = g.update.code[0].expr.atoms(StepBound)
    return next(a.expr for a in g.run_scalars if a.target == bound.args[1])


def test_a_timed_period_starts_the_update_with_a_local_not_refractory_flag():
    plain = dict(equations="dv/dt = -v/tau : 1")      # nothing held unless refractory
    first = _group(refractory=2.0, **plain).update.code[0]
    assert (first.target, first.ctype, first.declare) == (NOT_REFRACTORY, "bool", True)
    assert isinstance(first.expr, sp.LessThan) and first.expr.lhs == LASTSPIKE
    assert first.expr.rhs.args[0] == STEP


def test_a_refractory_period_is_counted_in_steps_as_brian2_counts_it():
    # Brian2's timestep(): floor with a tolerance of 1e-3 steps; the spike's own update is
    # the first of them, so one update fewer is held after it
    assert _steps(_group(refractory=2.0)) == sp.floor(2.0 / DT + sp.Rational(1, 1000)) - 1


def test_a_refractory_duration_may_be_an_expression_of_parameters():
    steps = sp.floor(3 * symbol("tau") / DT + sp.Rational(1, 1000)) - 1
    assert _steps(_group(refractory="3*tau")) == steps


def test_a_refractory_condition_updates_the_stored_flag_at_the_start_of_the_update():
    g = _group(refractory="v > 0.5")
    first = g.update.code[0]
    assert (first.target, first.declare) == (NOT_REFRACTORY, False)
    assert first.expr == sp.Or(NOT_REFRACTORY, sp.Not(v > 0.5))
    assert "not_refractory" in g.update.loads and "not_refractory" in g.update.stores


def test_the_lastspike_array_is_read_by_the_update_and_written_on_the_spike_only():
    g = _group(refractory=2.0)
    assert "lastspike" in g.update.loads and "lastspike" not in g.update.stores
    assert "lastspike" in g.on_spike.stores and "lastspike" not in g.reset.stores


def test_unless_refractory_variables_are_held_while_refractory():
    new_v = sp.Symbol("_new_v", real=True)
    held = _assign(_group(refractory=2.0).update, v).expr
    assert held == sp.Piecewise((new_v, NOT_REFRACTORY), (v, True))


def test_variables_without_unless_refractory_integrate_while_refractory():
    assert _assign(_group(refractory=2.0).update, w).expr == sp.Symbol("_new_w", real=True)


def test_discrete_time_update_targets_are_held_while_refractory():
    g = _group(equations="x : 1", params=("v_th",), threshold="x > v_th", reset="x = 0",
               update="x = x + 1", refractory=1.0)
    x = symbol("x")
    assert _assign(g.update, x).expr == sp.Piecewise((x + 1, NOT_REFRACTORY), (x, True))


def test_a_refractory_condition_guards_the_threshold():
    assert _group(refractory="v > 0.5").threshold == sp.And(v > v_th, NOT_REFRACTORY)


def test_holding_without_refractoriness_leaves_the_statements_as_they_are():
    stmts = [Assign(v, 2 * v, declare=False)]
    assert hold(stmts, None) is stmts


def test_holding_some_variables_leaves_the_others_alone():
    stmts = [Assign(v, 2 * v, declare=False), Assign(w, 3 * w, declare=False)]
    assert [a.expr for a in hold(stmts, "condition", {"w"})] == [
        2 * v, sp.Piecewise((3 * w, NOT_REFRACTORY), (w, True))]


def test_a_group_that_never_spikes_has_no_guard_to_add():
    assert guard(None, "time") is None


def test_without_refractoriness_there_is_no_clock_and_no_refractory_symbol():
    assert clock_statements(None) == [] and refractory_symbols(None) == {}


def test_a_timed_period_with_held_variables_keeps_its_flag_for_synapses_to_read():
    lif = dict(LIF, refractory=2.0)
    s = SynapsesSpec("S", "g", "g", 0, 4, 0, 4, on_pre="v_post += 1")   # writes held v
    g = build_network(NetworkSpec(groups=(GroupSpec("g", 4, **lif),), synapses=(s,))).groups[0]
    first = g.update.code[0]
    assert (first.target, first.declare) == (NOT_REFRACTORY, False)
    assert g.arrays["not_refractory"].ctype == "uint8"
    assert g.on_spike.code[-1].target == NOT_REFRACTORY and g.on_spike.code[-1].expr == sp.false


def test_a_flag_nothing_outside_the_update_reads_stays_a_local():
    g = _group(refractory=2.0)                 # (v is held, but nothing else writes it)
    assert "not_refractory" not in g.arrays and g.update.code[0].declare
