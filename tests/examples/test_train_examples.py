"""The gradient-training examples (examples/train/) at a small scale."""
import pytest


@pytest.fixture(scope="module")
def mnist1d_quick(load_example):
    """The MNIST-1D example at its quick scale (about 2 s), run once for this module."""
    return load_example("mnist1d_recurrent", "train").main(quick=True, seed=0)


def test_a_recurrent_spiking_network_learns_mnist1d_well_above_chance(mnist1d_quick):
    # quick scale, seeds 0-15: 49-61 % held-out after 6 epochs; chance is 10 %
    assert mnist1d_quick["recurrent"]["final_accuracy"] > 0.4


def test_the_recurrent_network_beats_its_feedforward_control(mnist1d_quick):
    # seeds 0-15: the control reaches 39-43 %, 8-20 points below the recurrent network
    r = mnist1d_quick
    assert r["recurrent"]["final_accuracy"] > r["feedforward"]["final_accuracy"] + 0.05


def test_the_mnist1d_example_gives_a_curve_of_every_epoch(mnist1d_quick):
    curve = mnist1d_quick["recurrent"]["curve"]
    assert [epoch for epoch, _, _ in curve] == list(range(1, 7))
    assert curve[-1][2] > curve[0][2]


def test_the_digits_example_reaches_90_percent_in_10_epochs(load_example):
    # 10 epochs (cosine schedule over 10): about 1 s of training
    assert load_example("digits", "train").main(epochs=10)["final_accuracy"] > 0.9
