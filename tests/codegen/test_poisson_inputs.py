"""codegen.poisson_inputs: the lowering pass of a group's PoissonInputs, read in the kernel
IR (run scalars, draws, statements after the spike) and through the pass itself."""
import pytest
import sympy as sp

from pyspike.codegen import streams
from pyspike.codegen.equations import parse_equations, symbol
from pyspike.codegen.errors import ModelError
from pyspike.codegen.expressions import PoissonCount
from pyspike.codegen.ir import Array, GroupKernel
from pyspike.codegen.kernels import build_network
from pyspike.codegen.layout import Layout
from pyspike.codegen.poisson_inputs import poisson_inputs
from pyspike.codegen.spec import GroupSpec, NetworkSpec

MODEL = dict(equations="dv/dt = -v/tau : 1\nge : 1", params=("tau",), threshold="v > 1",
             reset="v = 0")


def _network(*groups):
    return build_network(NetworkSpec(groups=tuple(
        GroupSpec(name, 4, **dict(MODEL, inputs=inputs)) for name, inputs in groups)))


def _kernel():
    eqs = parse_equations(MODEL["equations"], MODEL["params"])
    arrays = {n: Array(n, k, "real", "state") for k, n in enumerate(("v", "ge"))}
    return GroupKernel("g", 2, 4, eqs, arrays, {})


def test_a_poisson_input_adds_its_mean_and_weight_as_run_scalars():
    net = _network(("g", ("ge",)))
    g = net.groups[0]
    roles = {net.manifest.reals[g.shared[n]].role for n in ("_pin0_mean", "_pin0_weight")}
    assert roles == {"input_mean", "input_weight"}


def test_a_poisson_input_draws_one_uniform_on_its_own_stream():
    k = _kernel()
    draws, _ = poisson_inputs(GroupSpec("g", 4, inputs=("ge", "v")), k, Layout())
    assert [(d.symbol.name, d.kind, d.stream) for d in draws] == [
        ("_pin0_u", "uniform", streams.poisson_input(2, 0)),
        ("_pin1_u", "uniform", streams.poisson_input(2, 1))]


def test_a_poisson_input_adds_weight_times_a_poisson_count_to_its_variable():
    _, stmts = poisson_inputs(GroupSpec("g", 4, inputs=("ge",)), _kernel(), Layout())
    ge = symbol("ge")
    mean, weight, u = (sp.Symbol(f"_pin0_{x}", real=True) for x in ("mean", "weight", "u"))
    assert [(a.target, a.expr, a.declare) for a in stmts] == [
        (ge, ge + weight * PoissonCount(u, mean), False)]


def test_poisson_input_statements_follow_the_spike_in_the_order_given():
    g = _network(("g", ("ge", "v"))).groups[0]
    targets = [a.target.name for a in g.update.code]
    assert targets[targets.index("_spike") + 1:] == ["ge", "v"]


def test_the_variable_a_poisson_input_adds_to_is_loaded_and_stored():
    g = _network(("g", ("ge",))).groups[0]
    assert "ge" in g.update.loads and "ge" in g.update.stores


def test_each_group_draws_its_poisson_inputs_on_streams_of_its_own():
    net = _network(("a", ("ge",)), ("b", ("ge",)))
    assert [g.update.draws[-1].stream for g in net.groups] == [
        streams.poisson_input(0, 0), streams.poisson_input(1, 0)]


def test_a_group_without_poisson_inputs_has_no_input_scalars():
    g = _network(("g", ())).groups[0]
    assert not [n for n in g.shared if n.startswith("_pin")]


def test_a_poisson_input_into_a_parameter_is_refused():
    with pytest.raises(ModelError, match="not a per-neuron variable") as err:
        poisson_inputs(GroupSpec("g", 4, inputs=("tau",)), _kernel(), Layout())
    assert (err.value.where, err.value.symbol) == ("PoissonInput", "tau")
