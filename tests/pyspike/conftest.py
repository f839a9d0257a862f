"""Shared models for the pyspike tests."""
import pytest

import pyspike as ps

LIF_PARAMS = {"v_rest": -65.0, "tau_m": 10.0, "R": 1.0, "v_th": -50.0, "v_reset": -65.0}
#: Backends every behaviour is checked on (CUDA where a GPU is present).
BACKENDS = ["numpy", "cpu", pytest.param("cuda", marks=pytest.mark.gpu)]


def lif(method="exact", refractory=2.0, **params):
    p = dict(LIF_PARAMS)
    p.update(params)
    return ps.NeuronModel(
        equations="""
            dv/dt = (v_rest - v + R*I) / tau_m : mV (unless refractory)
            I : nA
        """,
        threshold="v > v_th", reset="v = v_reset", refractory=refractory, params=p,
        method=method)


@pytest.fixture
def make_lif():
    """A factory of LIF models (the model of the README), parameters overridable."""
    return lif


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param
