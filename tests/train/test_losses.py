"""pyspike.train.losses: every value and gradient against torch autograd computing the same
loss (float64, rtol 1e-12), the conventions (snnTorch, SpikingJelly, SPAIC) worked by hand,
and the refusal of bad input."""
import numpy as np
import pytest

from pyspike.codegen.errors import ModelError
from pyspike.train import losses

T, B, C = 6, 5, 4
RTOL = 1e-12


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def spikes(seed=0, p=0.3, shape=(T, B, C)):
    return (np.random.default_rng(seed).random(shape) < p).astype(np.float64)


def membrane(seed=0, shape=(T, B, C)):
    return np.random.default_rng(seed).standard_normal(shape)


def labels(seed=0, n=B, c=C):
    return np.random.default_rng(seed + 100).integers(0, c, n)


def autograd(torch, fn, output, *args):
    """torch's value and dLoss/dOutput of ``fn(output_tensor, *args)``."""
    x = torch.tensor(output, requires_grad=True)
    value = fn(x, *args)
    value.backward()
    return value.item(), x.grad.numpy()


def assert_matches(ours, theirs):
    assert ours[0] == pytest.approx(theirs[0], rel=RTOL, abs=0)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=RTOL, atol=1e-15)


# ---- cross-entropy on counts, per step, on membrane potential --------------------------

def test_cross_entropy_count_equals_torch_cross_entropy_of_the_summed_spikes(torch):
    out, lab = spikes(1), labels(1)
    ref = autograd(torch, lambda x: torch.nn.functional.cross_entropy(
        x.sum(0), torch.tensor(lab)), out)
    assert_matches(losses.cross_entropy_count(out, lab), ref)


def test_normalized_cross_entropy_count_is_spaics_example_with_detached_statistics(torch):
    out, lab = spikes(2, p=0.5), labels(2)

    def spaic(x):
        c = x.sum(0)
        z = (c - torch.mean(c).detach()) / (torch.std(c).detach() + 0.1)
        return torch.nn.functional.cross_entropy(z, torch.tensor(lab))
    assert_matches(losses.cross_entropy_count(out, lab, normalize=True),
                   autograd(torch, spaic, out))


def test_ce_rate_is_snntorchs_per_step_cross_entropy_averaged_over_steps(torch):
    out, lab = membrane(3), labels(3)

    def snntorch_ce_rate(x):
        logp = torch.nn.functional.log_softmax(x, dim=-1)
        return sum(torch.nn.functional.nll_loss(logp[t], torch.tensor(lab))
                   for t in range(T)) / T
    assert_matches(losses.ce_rate(out, lab), autograd(torch, snntorch_ce_rate, out))


def test_ce_rate_summed_over_time_is_t_times_the_mean(torch):
    out, lab = membrane(4), labels(4)
    ref = autograd(torch, lambda x: sum(torch.nn.functional.cross_entropy(
        x[t], torch.tensor(lab)) for t in range(T)), out)
    assert_matches(losses.ce_rate(out, lab, over_time="sum"), ref)


@pytest.mark.parametrize("reduce", ["max", "mean", "last"])
def test_cross_entropy_membrane_equals_torch_on_the_reduced_potential(torch, reduce):
    out, lab = membrane(5), labels(5)
    reducer = {"max": lambda x: x.max(0).values, "mean": lambda x: x.mean(0),
               "last": lambda x: x[-1]}[reduce]
    ref = autograd(torch, lambda x: torch.nn.functional.cross_entropy(
        reducer(x), torch.tensor(lab)), out)
    assert_matches(losses.cross_entropy_membrane(out, lab, reduce=reduce), ref)


def test_the_max_over_time_sends_the_gradient_to_the_first_of_tied_steps():
    v = np.zeros((3, 1, 2))
    v[0, 0, 0] = v[2, 0, 0] = 1.0                      # class 0 peaks at steps 0 and 2
    _, grad = losses.cross_entropy_membrane(v, np.array([0]))
    assert np.nonzero(grad[:, 0, 0])[0].tolist() == [0]


def test_a_huge_membrane_potential_gives_a_finite_loss_equal_to_torchs(torch):
    out, lab = membrane(6) * 1e4, labels(6)
    ours = losses.cross_entropy_membrane(out, lab)
    assert np.isfinite(ours[0]) and np.isfinite(ours[1]).all()
    ref = autograd(torch, lambda x: torch.nn.functional.cross_entropy(
        x.max(0).values, torch.tensor(lab)), out)
    assert_matches(ours, ref)


# ---- first spike time --------------------------------------------------------------------

def torch_first_spike_ce(torch, x, lab, tau, inverse):
    """The loss in torch: the spike time's value from the spikes, its gradient -1 at the
    first spike's step (the last step for a silent neuron) by a straight-through term."""
    spiked = x.detach() != 0
    fired = spiked.any(0)
    first = spiked.double().argmax(0)
    t_value = torch.where(fired, first, torch.full_like(first, T)).double()
    step = torch.where(fired, first, torch.full_like(first, T - 1))
    picked = x.gather(0, step[None])[0]
    t = t_value - (picked - picked.detach())
    s = t / tau
    z = -s if inverse == "negate" else 1 / (s + 1)
    return torch.nn.functional.cross_entropy(z, torch.tensor(lab))


@pytest.mark.parametrize("tau,inverse", [(1.0, "negate"), (2.5, "negate"),
                                         (1.0, "reciprocal"), (3.0, "reciprocal")])
def test_first_spike_time_equals_torch_with_the_sign_estimator(torch, tau, inverse):
    out, lab = spikes(7, p=0.15), labels(7)
    out[:, 0, 1] = 0.0                                 # one neuron that never spikes
    ref = autograd(torch, lambda x: torch_first_spike_ce(torch, x, lab, tau, inverse), out)
    assert_matches(losses.first_spike_time(out, lab, tau=tau, inverse=inverse), ref)


def test_a_silent_neuron_has_time_t_and_its_gradient_at_the_last_step():
    out = np.zeros((4, 1, 2))
    out[2, 0, 0] = 1.0                                 # class 0 at step 2, class 1 silent
    value, grad = losses.first_spike_time(out, np.array([0]))
    assert value == pytest.approx(np.log(1 + np.exp(-(4 - 2))), rel=RTOL)
    assert np.nonzero(grad[:, 0, 1])[0].tolist() == [3]
    assert np.nonzero(grad[:, 0, 0])[0].tolist() == [2]


def test_the_labelled_neuron_is_pushed_to_spike_earlier():
    out = np.zeros((4, 1, 2))
    out[2, 0, 0] = out[1, 0, 1] = 1.0
    _, grad = losses.first_spike_time(out, np.array([0]))
    # descending the loss raises the labelled neuron's spike output at its spike step
    assert grad[2, 0, 0] < 0 < grad[1, 0, 1]


# ---- mean squared errors -----------------------------------------------------------------

@pytest.mark.parametrize("correct,incorrect", [(1.0, 0.0), (0.75, 0.25)])
def test_mse_count_with_labels_is_snntorchs_mse_count_loss(torch, correct, incorrect):
    out, lab = spikes(8, p=0.5), labels(8)

    def snntorch_mse_count(x):
        target = torch.full((B, C), float(int(T * incorrect)), dtype=torch.float64)
        target[torch.arange(B), torch.tensor(lab)] = float(int(T * correct))
        return torch.nn.functional.mse_loss(x.sum(0), target) / T
    ref = autograd(torch, snntorch_mse_count, out)
    assert_matches(losses.mse_count(out, lab, correct_rate=correct,
                                    incorrect_rate=incorrect), ref)


def test_mse_count_on_rates_with_labels_is_spikingjellys_mse_on_firing_rate(torch):
    out, lab = spikes(9, p=0.5), labels(9)

    def spikingjelly(x):
        onehot = torch.nn.functional.one_hot(torch.tensor(lab), C).double()
        return torch.nn.functional.mse_loss(x.mean(0), onehot)
    assert_matches(losses.mse_count(out, lab, rate=True), autograd(torch, spikingjelly, out))


def test_mse_count_against_target_counts_is_torch_mse_of_the_counts(torch):
    out = spikes(10, p=0.5)
    target = np.random.default_rng(10).uniform(0, T, (B, C))
    ref = autograd(torch, lambda x: torch.nn.functional.mse_loss(
        x.sum(0), torch.tensor(target)), out)
    assert_matches(losses.mse_count(out, target), ref)


@pytest.mark.parametrize("shape", [(B, C), (T, B, C)])
def test_mse_membrane_against_a_target_array_is_torch_mse(torch, shape):
    out = membrane(11)
    target = np.random.default_rng(11).standard_normal(shape)
    ref = autograd(torch, lambda x: torch.nn.functional.mse_loss(
        x, torch.tensor(target).expand(T, B, C)), out)
    assert_matches(losses.mse_membrane(out, target), ref)


def test_mse_membrane_with_labels_is_snntorchs_on_off_target(torch):
    out, lab = membrane(12), labels(12)

    def snntorch_mse_membrane(x):
        target = torch.full((B, C), -0.5, dtype=torch.float64)
        target[torch.arange(B), torch.tensor(lab)] = 2.0
        return sum(torch.nn.functional.mse_loss(x[t], target) for t in range(T)) / T
    ref = autograd(torch, snntorch_mse_membrane, out)
    assert_matches(losses.mse_membrane(out, lab, on_target=2.0, off_target=-0.5), ref)


# ---- dtypes and shapes -------------------------------------------------------------------

@pytest.mark.parametrize("loss", [losses.cross_entropy_count, losses.ce_rate,
                                  losses.cross_entropy_membrane, losses.first_spike_time,
                                  losses.mse_count, losses.mse_membrane])
def test_a_float32_output_gets_a_float32_gradient_close_to_the_float64_one(loss):
    out, lab = spikes(13, p=0.4), labels(13)
    v32, g32 = loss(out.astype(np.float32), lab)
    v64, g64 = loss(out, lab)
    assert g32.dtype == np.float32 and g32.shape == out.shape
    assert v32 == pytest.approx(v64, rel=1e-6)
    np.testing.assert_allclose(g32, g64, rtol=1e-6, atol=1e-7)


# ---- accuracy ----------------------------------------------------------------------------

def test_accuracy_on_counts_takes_the_class_with_most_spikes_and_ties_to_the_lowest():
    out = np.zeros((3, 3, 2))
    out[:, 0, 1] = 1.0                   # sample 0: class 1 (3 spikes against 0)
    out[0, 1, 0] = out[0, 1, 1] = 1.0    # sample 1: a tie, class 0
    out[:2, 2, 0] = 1.0                  # sample 2: class 0
    assert losses.accuracy(out, np.array([1, 0, 1])) == pytest.approx(2 / 3)


def test_accuracy_on_membrane_takes_the_highest_reduced_potential():
    v = np.array([[[0.0, 1.0]], [[2.0, 0.5]]])        # max: class 0; last: class 0
    assert losses.accuracy(v, np.array([0]), on="membrane") == 1.0
    assert losses.accuracy(v, np.array([1]), on="membrane", reduce="mean") == 0.0


def test_accuracy_on_first_spike_takes_the_earliest_neuron():
    out = np.zeros((4, 2, 2))
    out[3, 0, 0] = out[1, 0, 1] = 1.0                 # sample 0: class 1 spikes first
    out[2, 1, 0] = 1.0                                # sample 1: class 1 silent
    assert losses.accuracy(out, np.array([1, 0]), on="first_spike") == 1.0


# ---- bad input ---------------------------------------------------------------------------

def test_labels_of_another_batch_size_are_refused_by_name():
    with pytest.raises(ModelError, match=r"labels.*shape \(5,\).*got shape \(4,\)") as e:
        losses.cross_entropy_count(spikes(), np.zeros(4, dtype=int))
    assert e.value.symbol == "labels" and e.value.where == "cross_entropy_count"


def test_a_label_out_of_range_is_refused_with_its_value():
    with pytest.raises(ModelError, match=r"labels must lie in \[0, 3\].*got 4"):
        losses.first_spike_time(spikes(), np.array([0, 1, 4, 2, 3]))


def test_float_labels_are_refused():
    with pytest.raises(ModelError, match="integer class indices"):
        losses.ce_rate(spikes(), np.zeros(B))


def test_an_output_without_a_time_axis_is_refused():
    with pytest.raises(ModelError, match=r"\(steps, batch, classes\)") as e:
        losses.cross_entropy_membrane(np.zeros((B, C)), labels())
    assert e.value.symbol == "output"


def test_an_integer_output_is_refused_as_it_cannot_take_a_gradient():
    with pytest.raises(ModelError, match="floating-point"):
        losses.mse_count(spikes().astype(np.int64), labels())


def test_a_target_of_the_wrong_shape_is_refused_by_name():
    with pytest.raises(ModelError, match=r"target.*got shape \(5, 3\)") as e:
        losses.mse_membrane(membrane(), np.zeros((B, C - 1)))
    assert e.value.symbol == "target"


def test_an_unknown_reduction_is_refused():
    with pytest.raises(ModelError, match="reduce must be one of 'max', 'mean', 'last'"):
        losses.cross_entropy_membrane(membrane(), labels(), reduce="min")


def test_a_time_scale_that_is_not_positive_is_refused():
    with pytest.raises(ModelError, match="tau must be a positive"):
        losses.first_spike_time(spikes(), labels(), tau=0.0)
