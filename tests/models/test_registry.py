"""The library's registries: models by name, made at their first use."""
import subprocess
import sys

import pytest

import pyspike as ps
from pyspike.models.registry import Registry


def test_a_model_registered_later_is_made_once_at_its_first_use_and_shared_by_its_names():
    made = []
    r = Registry("neuron model")
    r.later(["izh", "izhikevich"], lambda: made.append(1) or object())
    assert made == [] and "izh" in r and len(r) == 2
    first = r["izhikevich"]
    assert r["izh"] is first and r["izhikevich"] is first and made == [1]


def test_a_name_is_registered_once_whichever_way():
    r = Registry("neuron model")
    r.add("lif", 1)
    with pytest.raises(ValueError, match="'lif' is already in the library"):
        r.later(["clif", "lif"], lambda: 2)
    assert "clif" not in r


def test_a_model_that_fails_to_build_is_tried_again_at_the_next_use():
    calls = []

    def make():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first")
        return "model"
    r = Registry("neuron model")
    r.later("m", make)
    with pytest.raises(RuntimeError):
        r["m"]
    assert r["m"] == "model" and r["m"] == "model" and len(calls) == 2


def test_importing_pyspike_parses_no_library_model(tmp_path):
    code = ("import pyspike.model as m\n"
            "made = []\n"
            "init = m.NeuronModel.__init__\n"
            "m.NeuronModel.__init__ = lambda self, *a, **k: made.append(1) or init(self, *a, **k)\n"
            "import pyspike as ps\n"
            "assert made == [], len(made)\n"
            "ps.models.neurons['HH']\n"
            "assert made == [1], len(made)\n")
    # (in tmp_path: not the source folder, whose pyspike/ is not the installed package)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]


def test_every_library_neuron_model_is_made_under_its_own_name():
    for name in ps.models.neurons:
        model = ps.models.neurons[name]
        assert isinstance(model, ps.NeuronModel)
    assert ps.models.neurons["LifRef"].name == "LifRef"
    assert ps.models.neurons["clif"].name == "clif"
