"""CUBA (Brette et al. 2007, benchmark 1; Vogels & Abbott 2005): 4000 LIF neurons with
current-based exponential synapses, 80% excitatory, p = 0.02.

    python examples/cuba.py [--backend cpu|numpy] [--n 4000] [--duration 1000] [--out DIR]

Prints the mean rate (about 5.6 Hz with Brian2 2.9 and NEST 3.10) and saves a raster.
"""
from networks import cuba
from report import example_main

if __name__ == "__main__":
    example_main(__doc__, "CUBA", cuba)
