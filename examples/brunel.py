"""Brunel (2000): 10,000 excitatory and 2,500 inhibitory LIF neurons, p = 0.1, delay
1.5 ms, Poisson drive; the four regimes A (synchronous regular), B (synchronous
irregular, fast), C (asynchronous irregular) and D (synchronous irregular, slow).

    python examples/brunel.py [--regime A|B|C|D|all] [--duration 500] [--scale 1.0]

Prints, per regime, the mean rate, the CV of inter-spike intervals and the standard
deviation of the population rate (high in the synchronous regimes), and saves rasters.
"""
import argparse
import os

import pyspike as ps
from networks import BRUNEL_REGIMES, brunel
from report import run_and_report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="cpu", choices=["cpu", "numpy"])
    parser.add_argument("--regime", default="all", choices=list(BRUNEL_REGIMES) + ["all"])
    parser.add_argument("--duration", type=float, default=500.0, help="model time in ms")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="network size relative to 12,500 neurons (in-degrees scale too)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out"))
    args = parser.parse_args()
    regimes = list(BRUNEL_REGIMES) if args.regime == "all" else [args.regime]
    for regime in regimes:
        net = ps.Network(dt=0.1, seed=args.seed, backend=args.backend)
        objects = brunel(net, regime, n_exc=int(10000 * args.scale),
                         n_inh=int(2500 * args.scale))
        with net:
            spikes = ps.SpikeMonitor(objects["P"])
            rates = ps.PopulationRateMonitor(objects["P"])
        run_and_report(net, f"Brunel-{regime}", objects["P"], spikes, args.duration, args.out,
                       rate_monitor=rates)


if __name__ == "__main__":
    main()
