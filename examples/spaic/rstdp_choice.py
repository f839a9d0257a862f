"""A reward-dependent choice learned by R-STDP, written as SPAIC code and run by
pyspike.spaic: two input patterns (the first or the second half of 20 Poisson inputs)
drive two output neurons; after each trial a ``global_reward`` node gives +1 if the more
active output is the one assigned to the pattern (pattern 0 -> neuron 0, pattern 1 ->
neuron 1) and -1 otherwise, and an ``rstdp`` learner (Florian 2007) turns the trial's
eligibility into weight changes.  Before learning both outputs answer both patterns
alike; after, each answers its own.

    python examples/spaic/rstdp_choice.py           # 300 trials
    python examples/spaic/rstdp_choice.py --quick   # 120 trials

Prints the fraction of correct choices at the start and the end of learning and on 100
held-out trials with learning off.
"""
import argparse

import numpy as np

import pyspike.spaic as spaic

N_IN, TRIAL = 20, 20.0          # inputs; ms per trial
LR = 2e-4                       # rstdp's lr: a trial's eligibility is ~100 pairings


class Chooser(spaic.Network):
    def __init__(self):
        super().__init__()
        self.input = spaic.Encoder(num=N_IN, coding_method="poisson", unit_conversion=0.5)
        self.out = spaic.NeuronGroup(2, model="lif")
        self.con = spaic.Connection(self.input, self.out, link_type="full",
                                    weight=np.random.uniform(0.1, 0.2, size=(2, N_IN)))
        self.inhibit = spaic.Connection(self.out, self.out, link_type="full",
                                        weight=np.array([[0.0, -1.0], [-1.0, 0.0]]))
        self.reward = spaic.Reward(num=2, dec_target=self.out, coding_method="global_reward")
        self.learner = spaic.Learner(trainable=self.con, algorithm="rstdp", lr=LR,
                                     reward=self.reward, w_min=0.0, w_max=0.5)
        self.counts = spaic.Decoder(num=2, dec_target=self.out, coding_method="spike_counts")


def pattern(k: int) -> np.ndarray:
    x = np.zeros((1, N_IN))
    x[0, k * N_IN // 2:(k + 1) * N_IN // 2] = 1.0     # 50 Hz on its half
    return x


def trial(net, k: int) -> bool:
    net.input(pattern(k))
    net.reward(np.array([k]))
    net.run(TRIAL)
    counts = net.counts.predict[0]
    return bool(counts[k] > counts[1 - k])


def main(quick: bool = False, seed: int = 1) -> dict:
    np.random.seed(seed)
    net = Chooser()
    net.set_random_seed(seed)
    net.build(backend="cpu")
    rng = np.random.default_rng(seed)
    n = 120 if quick else 300
    correct = [trial(net, int(rng.integers(2))) for _ in range(n)]
    net.eval()
    held_out = [trial(net, int(rng.integers(2))) for _ in range(100)]
    w = net.con.weight
    return {"trials": n, "correct_first_20": float(np.mean(correct[:20])),
            "correct_last_20": float(np.mean(correct[-20:])),
            "correct_held_out": float(np.mean(held_out)),
            "w_own": float((w[0, :N_IN // 2].mean() + w[1, N_IN // 2:].mean()) / 2),
            "w_other": float((w[0, N_IN // 2:].mean() + w[1, :N_IN // 2].mean()) / 2)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    r = main(args.quick, args.seed)
    print(f"R-STDP choice: {r['trials']} trials; correct {100 * r['correct_first_20']:.0f} % "
          f"of the first 20, {100 * r['correct_last_20']:.0f} % of the last 20, "
          f"{100 * r['correct_held_out']:.0f} % of 100 held-out trials; weights from the "
          f"own pattern {r['w_own']:.3f}, from the other {r['w_other']:.3f}")
