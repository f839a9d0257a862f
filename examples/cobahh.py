"""COBAHH (Brette et al. 2007, benchmark 3): 4000 Hodgkin-Huxley (Traub-Miles) neurons
with conductance-based exponential synapses, 80% excitatory, p = 0.02, exponential Euler.

    python examples/cobahh.py [--backend cpu|numpy] [--n 4000] [--duration 1000] [--out DIR]

Prints the mean rate and the CV of inter-spike intervals and saves a raster.
"""
from networks import cobahh
from report import example_main

if __name__ == "__main__":
    example_main(__doc__, "COBAHH", cobahh)
