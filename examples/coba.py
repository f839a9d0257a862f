"""COBA (Brette et al. 2007, benchmark 2; Vogels & Abbott 2005): 4000 LIF neurons with
conductance-based exponential synapses, 80% excitatory, p = 0.02, exponential Euler.

    python examples/coba.py [--backend cpu|numpy] [--n 4000] [--duration 1000] [--out DIR]

Prints the mean rate and the CV of inter-spike intervals and saves a raster.
"""
import argparse
import os

import pyspike as ps
from networks import coba
from report import run_and_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "numpy"])
    parser.add_argument("--precision", default="double", choices=["double", "single"])
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--duration", type=float, default=1000.0, help="model time in ms")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    args = parser.parse_args()
    net = ps.Network(dt=0.1, seed=args.seed, backend=args.backend, precision=args.precision)
    objects = coba(net, args.n)
    with net:
        spikes = ps.SpikeMonitor(objects["P"])
    run_and_report(net, "COBA", objects["P"], spikes, args.duration, args.out)


if __name__ == "__main__":
    main()
