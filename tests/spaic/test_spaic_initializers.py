"""SPAIC's weight initialisers against torch.nn.init (an implementation not ours), and the
link types and weight bounds a Connection applies to what they draw.

Statistics are compared on 300 x 200 = 60,000 draws: a standard deviation's estimate
is then within 0.3 % of the truth (one sigma, 1/sqrt(2n)), so 3 % tolerates any seed;
a uniform's bound is the largest |w| within 0.1 %."""
import math

import numpy as np
import pytest

import pyspike.spaic as spaic
from pyspike import ModelError

torch = pytest.importorskip("torch")

SHAPE = (300, 200)          # (post, pre): fan_in 200, fan_out 300, as torch reads (out, in)


def _ours(init):
    np.random.seed(1)
    return init.sample(SHAPE)


def _torch(fill, **kw):
    torch.manual_seed(1)
    w = torch.empty(SHAPE, dtype=torch.float64)
    fill(w, **kw)
    return w.numpy()


@pytest.mark.parametrize("ours, theirs, kw", [
    (spaic.xavier_uniform(gain=1.5), torch.nn.init.xavier_uniform_, {"gain": 1.5}),
    (spaic.kaiming_uniform(a=0.1), torch.nn.init.kaiming_uniform_, {"a": 0.1}),
    (spaic.kaiming_uniform(mode="fan_out", nonlinearity="relu"),
     torch.nn.init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}),
    (spaic.uniform(-0.2, 0.7), torch.nn.init.uniform_, {"a": -0.2, "b": 0.7}),
])
def test_uniform_initialisers_have_torchs_bounds(ours, theirs, kw):
    a, b = _ours(ours), _torch(theirs, **kw)
    assert a.shape == SHAPE
    assert a.min() == pytest.approx(b.min(), rel=1e-3, abs=1e-3)
    assert a.max() == pytest.approx(b.max(), rel=1e-3, abs=1e-3)
    assert a.std() == pytest.approx(b.std(), rel=0.03)


@pytest.mark.parametrize("ours, theirs, kw", [
    (spaic.xavier_normal(gain=2.0), torch.nn.init.xavier_normal_, {"gain": 2.0}),
    (spaic.kaiming_normal(), torch.nn.init.kaiming_normal_, {}),
    (spaic.kaiming_normal(mode="fan_out", nonlinearity="tanh"), torch.nn.init.kaiming_normal_,
     {"mode": "fan_out", "nonlinearity": "tanh"}),
    (spaic.normal(0.5, 0.2), torch.nn.init.normal_, {"mean": 0.5, "std": 0.2}),
])
def test_normal_initialisers_have_torchs_mean_and_spread(ours, theirs, kw):
    a, b = _ours(ours), _torch(theirs, **kw)
    assert a.std() == pytest.approx(b.std(), rel=0.03)
    assert abs(a.mean() - b.mean()) < 4 * b.std() / math.sqrt(a.size)


def test_sparse_zeroes_torchs_count_in_every_column():
    a, b = _ours(spaic.sparse(sparsity=0.25, std=0.3)), _torch(torch.nn.init.sparse_,
                                                               sparsity=0.25, std=0.3)
    assert ((a == 0).sum(axis=0) == (b == 0).sum(axis=0)).all()   # ceil(0.25*300) = 75
    assert a[a != 0].std() == pytest.approx(b[b != 0].std(), rel=0.03)


def test_constant_fills_every_weight():
    assert (_ours(spaic.constant(0.25)) == 0.25).all()


def test_a_connection_draws_its_weights_with_the_initialiser_and_keeps_its_bounds():
    pre, post = spaic.NeuronGroup(200, model="lif"), spaic.NeuronGroup(300, model="lif")
    np.random.seed(3)
    con = spaic.Connection(pre, post, link_type="full", weight=spaic.kaiming_normal(),
                           w_min=-0.05, w_max=0.08)
    np.random.seed(3)
    drawn = spaic.kaiming_normal().sample(SHAPE)
    np.testing.assert_array_equal(con.weight, np.clip(drawn, -0.05, 0.08))
    assert con.weight.min() == -0.05 and con.weight.max() == 0.08


def test_a_random_link_never_joins_a_neuron_to_itself_and_keeps_about_its_probability():
    g = spaic.NeuronGroup(200, model="lif")
    np.random.seed(4)
    con = spaic.Connection(g, g, link_type="random", probability=0.2)
    w = con.weight
    assert (np.diag(w) == 0).all()
    # 200*199 candidate pairs at p = 0.2: within 5 binomial standard deviations
    n, p = 200 * 199, 0.2
    assert abs((w != 0).sum() - n * p) < 5 * math.sqrt(n * p * (1 - p))


def test_a_null_link_has_no_synapse():
    a, b = spaic.NeuronGroup(3, model="lif"), spaic.NeuronGroup(2, model="lif")
    assert (spaic.Connection(a, b, link_type="null").weight == 0).all()


def test_an_initialiser_with_an_unknown_nonlinearity_is_refused_naming_it():
    with pytest.raises(ModelError, match="unknown nonlinearity 'swish'"):
        spaic.kaiming_normal(nonlinearity="swish").sample(SHAPE)
