"""PoissonInput: per step and neuron, var += weight * k with k ~ Poisson(N*rate*dt), drawn
after the threshold; its statistics, the backends' agreement, when in the step it is
applied, changes of rate and weight between runs without a rebuild, and errors."""
import os
import shutil
import subprocess

import numpy as np
import pytest

import pyspike as ps
import pyspike.codegen

DT = 0.1
INCLUDE = os.path.join(os.path.dirname(os.path.dirname(pyspike.codegen.__file__)), "csrc")
#: Neurons that only hold what the input adds to them.
STILL = ps.NeuronModel("v : 1")


def _counts(backend, n=1000, N=200, rate=100.0, weight=0.5, duration=20.0, seed=3):
    """Per-step increments of v divided by the weight: the Poisson counts, (n, steps)."""
    net = ps.Network(dt=DT, seed=seed, backend=backend)
    with net:
        G = ps.NeuronGroup(n, STILL)
        mon = ps.StateMonitor(G, "v", record=True)
    ps.PoissonInput(G, "v", N=N, rate=rate, weight=weight)
    net.run(duration)
    net.run(DT)                       # one more sample: the increments of every step
    return np.diff(mon.v, axis=1) / weight, net, G, mon


def test_the_added_amount_is_a_whole_number_of_weights(backend):
    k, *_ = _counts(backend, n=50, weight=0.5)
    # 0.5 and sums of it up to ~1000 are exact in double precision
    np.testing.assert_array_equal(k, np.round(k))
    assert k.min() >= 0


def test_the_mean_count_per_step_is_N_rate_dt(backend):
    k, *_ = _counts(backend)
    lam = 200 * 100.0 * DT * 1e-3            # 2 spikes per step
    # 1000 neurons * 200 steps = 2e5 independent Poisson(2) counts: the sd of their mean
    # is sqrt(2/2e5) = 0.0032; 5 sd
    assert k.shape == (1000, 200)
    assert abs(k.mean() - lam) < 5 * np.sqrt(lam / k.size)


def test_the_mean_increment_per_step_is_N_rate_dt_weight():
    k, *_ = _counts("cpu", weight=0.25, rate=50.0)
    increments = k * 0.25
    mean = 200 * 50.0 * DT * 1e-3 * 0.25     # 0.25 per step
    # counts of mean 1 (sd of the mean of 2e5 counts: 0.0022), times the weight; 5 sd
    assert abs(increments.mean() - mean) < 5 * 0.25 * np.sqrt(1.0 / k.size)


def test_the_variance_of_the_count_equals_its_mean_as_for_poisson():
    k, *_ = _counts("cpu")
    lam = 2.0
    # the sample variance of n Poisson(lam) counts has sd sqrt((lam + 2 lam^2)/n)
    # = sqrt(10/2e5) = 0.0071; 5 sd
    assert abs(k.var() - lam) < 5 * np.sqrt((lam + 2 * lam ** 2) / k.size)


def test_the_count_distribution_is_poisson():
    from math import exp, factorial
    k, *_ = _counts("cpu")
    lam, n = 2.0, k.size
    for value in range(6):
        p = lam ** value * exp(-lam) / factorial(value)
        observed = np.count_nonzero(k == value) / n
        # a binomial proportion: sd sqrt(p(1-p)/n) <= 0.0011; 5 sd
        assert abs(observed - p) < 5 * np.sqrt(p * (1 - p) / n), value


def test_neurons_and_steps_draw_independent_counts():
    k, *_ = _counts("cpu", n=400)
    # correlation of neighbouring neurons' and of consecutive steps' counts: 400*200
    # pairs of independent counts give r with sd ~ 1/sqrt(8e4) = 0.0035; 5 sd
    r_neurons = np.corrcoef(k[0::2].ravel(), k[1::2].ravel())[0, 1]
    r_steps = np.corrcoef(k[:, :-1].ravel(), k[:, 1:].ravel())[0, 1]
    assert abs(r_neurons) < 5 / np.sqrt(k.size / 2)
    assert abs(r_steps) < 5 / np.sqrt(k.size)


def test_cpu_equals_numpy_reference():
    ref, _, ref_G, _ = _counts("numpy", n=100, duration=10.0)
    cpu, _, cpu_G, _ = _counts("cpu", n=100, duration=10.0)
    # the same uniforms, the same inversion in double precision: identical counts
    np.testing.assert_array_equal(cpu, ref)
    np.testing.assert_array_equal(cpu_G.v, ref_G.v)


def test_the_counts_follow_the_seed():
    a, *_ = _counts("cpu", n=50, duration=5.0, seed=1)
    b, *_ = _counts("cpu", n=50, duration=5.0, seed=1)
    c, *_ = _counts("cpu", n=50, duration=5.0, seed=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_two_inputs_to_one_variable_add_up():
    net = ps.Network(dt=DT, seed=3, backend="cpu")
    with net:
        G = ps.NeuronGroup(1000, STILL)
    ps.PoissonInput(G, "v", N=100, rate=100.0, weight=1.0)    # 1 per step
    ps.PoissonInput(G, "v", N=100, rate=200.0, weight=-0.5)   # 2 per step, -1 in all
    net.run(10.0)
    # mean 0 per step; variance per step 1*1 + 2*0.25 = 1.5, over 100 steps 150 per
    # neuron; the mean of 1000 neurons has sd sqrt(0.15) = 0.39; 5 sd
    assert abs(G.v.mean()) < 5 * np.sqrt(150 / 1000)
    assert abs(G.v.var() - 150) < 0.2 * 150     # sd of a variance of 1000: ~4.5%


def test_inputs_to_two_variables_of_one_group(backend):
    model = ps.NeuronModel("x : 1\ny : 1")
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(500, model)
    ps.PoissonInput(G, "x", N=100, rate=100.0, weight=1.0)   # 1 per step
    ps.PoissonInput(G, "y", N=100, rate=300.0, weight=1.0)   # 3 per step
    net.run(10.0)
    # 500 neurons * 100 steps: means 100 and 300 per neuron, sd of the group mean
    # sqrt(100/500) = 0.45 and sqrt(300/500) = 0.77; 5 sd
    assert abs(G.x.mean() - 100) < 5 * 0.45
    assert abs(G.y.mean() - 300) < 5 * 0.78


# --- when in the step the input is added -------------------------------------------------

def test_the_input_of_a_step_in_which_a_neuron_spikes_is_lost_to_the_reset(backend):
    # mean 400 per step: the count is never 0 (P = exp(-400)).  Input after the threshold
    # and before the reset: step 0 adds (no spike); step 1 spikes on it, adds, resets to 0;
    # step 2 adds; ...  So the samples alternate 0, >0, 0, >0 and the neuron spikes every
    # second step.  (Input before the threshold would spike every step with v = 0 always;
    # input after the reset would never leave v at 0.)
    model = ps.NeuronModel("v : 1", threshold="v > 0.5", reset="v = 0")
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(3, model)
        mon = ps.StateMonitor(G, "v", record=True)
        spikes = ps.SpikeMonitor(G)
    ps.PoissonInput(G, "v", N=1000, rate=4000.0, weight=1.0)
    net.run(2.0)
    np.testing.assert_array_equal(mon.v[:, 0::2], 0.0)
    assert np.all(mon.v[:, 1::2] > 300)
    # spike of step n stamped t_(n+1): steps 1, 3, 5, ... -> 0.2, 0.4, ... ms
    np.testing.assert_array_equal(spikes.count, [10, 10, 10])
    np.testing.assert_allclose(spikes.t[::3], np.arange(1, 11) * 0.2, rtol=0, atol=1e-9)


def test_the_input_crosses_the_threshold_only_in_the_next_step(backend):
    # a neuron just below threshold receives a kick that takes it over: the threshold of
    # this step has already been tested, so the spike comes one step later
    model = ps.NeuronModel("v : 1", threshold="v > 1", reset="v = -100")
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(2, model, init={"v": 0.99})
        spikes = ps.SpikeMonitor(G)
    ps.PoissonInput(G, "v", N=1000, rate=4000.0, weight=1.0)
    net.run(0.2)
    # step 0: 0.99 fails the threshold, the input adds ~400; step 1: spike, stamped 0.2
    np.testing.assert_array_equal(spikes.i, [0, 1])
    np.testing.assert_allclose(spikes.t, [0.2, 0.2], rtol=0, atol=1e-12)


def test_the_input_is_dropped_while_the_neuron_is_refractory(backend):
    # (unless refractory) holds v against additions too, as in Brian2 (whose PoissonInput
    # writes v only where not_refractory; checked with Brian2 2.9 on this network: v
    # stays 0 after the spike).  Step 0 adds ~400; step 1 spikes and resets to 0, and
    # the 5 ms of refractoriness that follow add nothing.
    model = ps.NeuronModel("dv/dt = -v/tau : 1 (unless refractory)", threshold="v > 0.5",
                           reset="v = 0", refractory=5.0, params={"tau": 10.0},
                           method="exact")
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(4, model)
        mon = ps.StateMonitor(G, "v", record=True)
        spikes = ps.SpikeMonitor(G)
    ps.PoissonInput(G, "v", N=1000, rate=4000.0, weight=1.0)
    net.run(2.0)
    np.testing.assert_array_equal(spikes.count, 1)        # refractory for the rest
    assert np.all(mon.v[:, 1] > 300)                      # the input before the spike
    np.testing.assert_array_equal(mon.v[:, 2:], 0.0)      # reset, then held


# --- rate and weight change between runs -------------------------------------------------

def test_changing_rate_and_weight_between_runs_takes_effect_without_a_rebuild(backend):
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(1000, STILL)
        mon = ps.StateMonitor(G, "v", record=True)
    drive = ps.PoissonInput(G, "v", N=100, rate=100.0, weight=1.0)   # 1 per step
    net.run(10.0)
    first = G.v.copy()
    drive.rate = 300.0                                                # 3 per step
    drive.weight = 2.0
    net.run(10.0)
    assert net.last_build.generated is False and net.last_build.compiled is False
    second = G.v - first
    # 1000 neurons * 100 steps of Poisson(1) then 2*Poisson(3): group means 100 (sd 0.32)
    # and 600 (sd 2*sqrt(300/1000) = 1.1); 5 sd
    assert abs(first.mean() - 100) < 5 * 0.32
    assert abs(second.mean() - 600) < 5 * 1.1
    # and every increment of the second run is a multiple of the new weight
    steps = np.diff(mon.v[:, 100:], axis=1)
    np.testing.assert_array_equal(steps % 2.0, 0.0)


def test_a_rate_of_zero_adds_nothing(backend):
    k, *_ = _counts(backend, n=20, rate=0.0, duration=5.0)
    np.testing.assert_array_equal(k, 0.0)


def test_zero_sources_add_nothing(backend):
    k, *_ = _counts(backend, n=20, N=0, duration=5.0)
    np.testing.assert_array_equal(k, 0.0)


def test_a_mean_of_500_per_step_is_allowed():
    k, *_ = _counts("cpu", n=20, N=1000, rate=5000.0, duration=1.0, weight=1.0)
    # 200 Poisson(500) counts: mean sd sqrt(500/200) = 1.6; 5 sd
    assert abs(k.mean() - 500) < 5 * 1.6


# --- errors ------------------------------------------------------------------------------

def test_an_unknown_variable_is_an_error_naming_it():
    G = ps.NeuronGroup(3, STILL)
    with pytest.raises(ps.ModelError, match="x") as err:
        ps.PoissonInput(G, "x", N=10, rate=10.0, weight=1.0)
    assert err.value.symbol == "x"
    assert G.poisson_inputs == []


def test_a_parameter_is_not_a_variable_to_drive():
    model = ps.NeuronModel("dv/dt = -v/tau : 1", params={"tau": 10.0})
    G = ps.NeuronGroup(3, model)
    with pytest.raises(ps.ModelError, match="tau"):
        ps.PoissonInput(G, "tau", N=10, rate=10.0, weight=1.0)


def test_a_negative_rate_is_an_error():
    G = ps.NeuronGroup(3, STILL)
    with pytest.raises(ps.ModelError, match="rate"):
        ps.PoissonInput(G, "v", N=10, rate=-1.0, weight=1.0)
    assert G.poisson_inputs == []


@pytest.mark.parametrize("N", [-1, 1.5])
def test_a_number_of_sources_that_is_not_a_whole_number_is_an_error(N):
    G = ps.NeuronGroup(3, STILL)
    with pytest.raises(ps.ModelError):
        ps.PoissonInput(G, "v", N=N, rate=10.0, weight=1.0)


def test_a_target_that_is_not_a_group_is_an_error():
    with pytest.raises(ps.ModelError):
        ps.PoissonInput("G", "v", N=10, rate=10.0, weight=1.0)


def test_a_mean_above_500_per_step_is_an_error_at_the_run(backend):
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(3, STILL)
    ps.PoissonInput(G, "v", N=1000, rate=5100.0, weight=1.0)    # 510 per step
    with pytest.raises(ps.ModelError, match="500"):
        net.run(1.0)
    assert net.step == 0


def test_a_rate_raised_above_500_per_step_between_runs_is_an_error(backend):
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(3, STILL)
    drive = ps.PoissonInput(G, "v", N=1000, rate=100.0, weight=1.0)
    net.run(1.0)
    drive.rate = 1e6
    with pytest.raises(ps.ModelError):
        net.run(1.0)


def test_a_negative_rate_set_between_runs_is_an_error(backend):
    # the constructor refuses a negative rate; the attribute that may change between
    # runs must not let one through silently (it would act as rate 0)
    net = ps.Network(dt=DT, seed=3, backend=backend)
    with net:
        G = ps.NeuronGroup(3, STILL)
    drive = ps.PoissonInput(G, "v", N=100, rate=100.0, weight=1.0)
    net.run(1.0)
    drive.rate = -50.0
    with pytest.raises(ps.ModelError, match="rate"):
        net.run(1.0)


@pytest.mark.gpu
def test_float32_on_the_gpu_refuses_means_its_float_arithmetic_cannot_hold():
    # float32 kernels draw the count in float, where exp(-mean) underflows near 87
    net = ps.Network(dt=DT, seed=3, backend="cuda", precision="single")
    with net:
        G = ps.NeuronGroup(3, STILL)
    ps.PoissonInput(G, "v", N=1000, rate=900.0, weight=1.0)     # 90 per step
    with pytest.raises(ps.ModelError, match="several PoissonInputs"):
        net.run(1.0)


def test_the_limit_of_a_mean_per_step_is_the_backends():
    from pyspike.backends.cuda import CUDABackend
    assert CUDABackend.capabilities.poisson_limit(np.float32) == 80.0
    assert CUDABackend.capabilities.poisson_limit(np.float64) == 500.0
    drive = ps.PoissonInput(ps.NeuronGroup(2, STILL), "v", N=1000, rate=900.0, weight=1.0)
    assert drive.value("mean", DT) == pytest.approx(90.0)
    with pytest.raises(ps.ModelError, match="at most 80 .* float32 on the GPU"):
        drive.value("mean", DT, limit=80.0)


POISSON_PROGRAM = r"""
#include <stdio.h>
#include "pyspike/support.h"
int main() {
    // u as close to 1 as float holds: the float sum of the terms stays below it
    printf("%g %g\n", ps_poisson(1.0F - 5.9604645e-08F, 50.0F), ps_poisson(0.5F, 50.0F));
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not on the PATH")
def test_a_uniform_above_the_rounded_sum_gives_a_count_in_the_tail_not_past_it(tmp_path):
    # ps_poisson in float (as float32 CUDA kernels draw it): the sum of the terms rounds
    # to just below 1, and the count stops where the terms no longer change the sum
    (tmp_path / "p.cpp").write_text(POISSON_PROGRAM)
    subprocess.run(["g++", "-O2", "-std=c++17", f"-I{INCLUDE}", str(tmp_path / "p.cpp"),
                    "-o", str(tmp_path / "p")], check=True)
    top, median = map(float, subprocess.run([str(tmp_path / "p")], capture_output=True,
                                            text=True, check=True).stdout.split())
    assert median == 50.0                   # the median of Poisson(50) is 50 (Choi, 1994)
    assert 75.0 <= top <= 100.0             # 4 to 7 standard deviations: the far tail
