"""Make the BrainPy numbers that tests/brainpy compares pyspike.brainpy with, by running
the same model text under BrainPy 2.4.3 itself.  Run it with a Python that has BrainPy
(not pyspike's test environment), e.g.

    python -m venv ~/.cache/pyspike-brainpy-venv
    ~/.cache/pyspike-brainpy-venv/bin/pip install brainpy==2.4.3 "jax[cpu]==0.4.13" \\
        jaxlib==0.4.13 "numpy<2" "scipy<1.12" numba brainpylib==0.1.9
    ~/.cache/pyspike-brainpy-venv/bin/python examples/brainpy/brainpy_reference.py [seeds]

It runs EI_balanced_COBA.py with its two imports changed to BrainPy's, for seeds 0 to
seeds-1 (10 by default), under the protocols of tests/brainpy/test_brainpy_ei_network.py,
then the models of tests/brainpy/brainpy_cases.py (the network of BrainPy's
ProjAlignPostMg2 documentation, run by bm.for_loop, for the same seeds, and small
deterministic models), and prints the numbers the tests hold.
"""
import sys
import types
from pathlib import Path

import numpy as np

import brainpy as bp
import brainpy.math as bm

HERE = Path(__file__).resolve().parent
CASES = HERE.parents[1] / "tests" / "brainpy" / "brainpy_cases.py"

#: (dt, ltc, durations) of each protocol the tests hold numbers for.
PROTOCOLS = {"ltc_dt0.1": (0.1, True, (100., 400.)),
             "lif_dt0.1": (0.1, False, (100., 400.)),
             "ltc_dt0.5": (0.5, True, (100., 400.))}


def load(path: Path, swap: bool) -> types.ModuleType:
    text = path.read_text()
    if swap:
        text = text.replace("import pyspike.brainpy.math as bm", "import brainpy.math as bm")
        text = text.replace("import pyspike.brainpy as bp", "import brainpy as bp")
    module = types.ModuleType(path.stem)
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


def main(seeds: int = 10) -> None:
    example = load(HERE / "EI_balanced_COBA.py", swap=True)
    print(f"# BrainPy {bp.__version__}: mean and standard deviation over seeds 0-{seeds - 1}"
          " of the rates (Hz) of E and I in each run")
    for name, (dt, ltc, durations) in PROTOCOLS.items():
        values = np.array([example.rates(seed, dt=dt, ltc=ltc, durations=durations)[0]
                           for seed in range(seeds)])
        print(f"{name!r}: ({np.round(values.mean(0), 2).tolist()}, "
              f"{np.round(values.std(0, ddof=1), 2).tolist()}),")
    cases = load(CASES, swap=False)
    jit = [cases.jit_einet(bp, bm, seed) for seed in range(seeds)]
    print(f"'jit_einet': ({np.mean(jit):.2f}, {np.std(jit, ddof=1):.2f}),")
    for ltc in (True, False):
        for order, delay, align in (("proj_first", None, "post"), ("proj_first", 0.5, "post"),
                                    ("neu_first", 0.5, "post"), ("proj_first", None, "pre"),
                                    ("proj_first", 0.3, "pre")):
            key = (ltc, order, delay, align)
            print(f"{key!r}: {cases.two_layer(bp, bm, ltc, order, delay, align)!r},")
    for cls, pars in (("LifRef", dict(tau_ref=5.)), ("LifRef", dict(tau_ref=2.)),
                      ("Lif", {}), ("ExpIFRef", dict(tau_ref=1.)),
                      ("AdExIF", dict(a=0.5, b=5.)), ("Izhikevich", {})):
        print(f"{(cls, tuple(sorted(pars.items())))!r}: "
              f"{cases.driven(bp, bm, cls, **pars)!r},")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
