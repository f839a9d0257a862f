"""BrainPy's documented E/I balanced network (COBA, ProjAlignPostMg2 with Expon and COBA,
LifRef neurons, EventCSRLinear over FixedProb(0.02), run by DSRunner), as
examples/brainpy/EI_balanced_COBA.py writes it, gives BrainPy's rates.

The BrainPy numbers were made with BrainPy 2.4.3 (jax 0.4.13, CPU, float32) running
that same file with its two imports changed back to BrainPy's:
``python examples/brainpy/brainpy_reference.py 20`` in a separate venv (the file says
how to make it), seeds 0-19.  They are the mean and standard deviation over the seeds of
the rates (Hz) of E and I in a first run of 100 ms (the example's run, with the onset
burst) and a second of 400 ms.  pyspike draws other random connections and initial
values, so one pyspike run is compared with BrainPy's spread: within 3.5 standard
deviations (one run's) of BrainPy's mean.  (Over 20 seeds pyspike's means came out
1-3% below these, within 2 standard errors of them; with BrainPy's own connectivity and
initial values pyspike gives BrainPy's spikes step for step until float32 and float64
arithmetic part, after 6 ms, and rates that agree within the seeds' spread.)
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import pyspike.brainpy as bp
import pyspike.brainpy.math as bm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import brainpy_cases as cases  # noqa: E402
sys.path.pop(0)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "brainpy" / "EI_balanced_COBA.py"

#: protocol -> ((mean E, I in run 1, E, I in run 2), (their standard deviations)).
BRAINPY = {
    "ltc_dt0.1": ([21.96, 21.92, 20.7, 20.78], [1.06, 0.52, 0.85, 0.43]),
    "lif_dt0.1": ([22.16, 22.12, 20.92, 20.96], [1.26, 0.54, 0.87, 0.4]),
    "ltc_dt0.5": ([20.13, 20.05, 19.63, 19.61], [1.2, 0.89, 0.75, 0.3]),
}
PROTOCOLS = {"ltc_dt0.1": (0.1, True), "lif_dt0.1": (0.1, False), "ltc_dt0.5": (0.5, True)}


#: The network of BrainPy's ProjAlignPostMg2 documentation (tests/brainpy/brainpy_cases.py's
#: jit_einet: EventJitFPHomoLinear, delay 0.1 ms, bm.for_loop over step_run): the mean
#: and standard deviation of the rate of E (Hz) over 100 ms, seeds 0-9, BrainPy 2.4.3
#: with brainpylib 0.1.9 (its jit connectivity kernels).
BRAINPY_JIT = (19.99, 1.98)


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("EI_balanced_COBA", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    bm.set_dt(0.1)


@pytest.mark.parametrize("protocol", list(PROTOCOLS))
def test_the_ei_balanced_network_gives_brainpys_rates(example, protocol):
    dt, ltc = PROTOCOLS[protocol]
    rates, _ = example.rates(seed=1, dt=dt, ltc=ltc, durations=(100., 400.))
    mean, sd = (np.array(v) for v in BRAINPY[protocol])
    assert np.all(np.abs(np.array(rates) - mean) <= 3.5 * sd), (rates, mean, sd)


def test_the_example_prints_its_rates(example, capsys):
    values = example.main(quick=True)
    out = capsys.readouterr().out
    assert f"E {values[0]:.2f} Hz" in out and f"I {values[3]:.2f} Hz" in out


def test_the_documented_for_loop_network_gives_brainpys_rate():
    rate = cases.jit_einet(bp, bm, seed=1)
    mean, sd = BRAINPY_JIT
    assert abs(rate - mean) <= 3.5 * sd, rate
