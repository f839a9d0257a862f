"""Diehl & Cook (2015)'s unsupervised digit recognition, written as SPAIC code and run by
pyspike.spaic: Poisson inputs -> excitatory ``lifstdp_ex`` neurons (adaptive thresholds)
learning by nearest-spike STDP, each exciting one inhibitory ``lifstdp_ih`` neuron that
inhibits all the others (winner-take-all).  After training, each neuron is labelled with
the class it answers most; a held-out digit is classified by the labels' mean responses.

Data: scikit-learn's 8x8 digits (1797 samples, shipped with the package: no download),
each pixel repeated 3x3 and padded to 28x28, so that the network has MNIST's 784 inputs and
SPAIC's own parameters (weights normalised to 78.4 per neuron, inputs at most
unit_conversion*1000 Hz: 100 Hz here).  Each sample is shown for 100 ms (SPAIC's STDP
example: 25.6 ms, too short for these digits; Diehl & Cook: 350 ms).

    python examples/spaic/diehl_cook_digits.py            # 200 neurons, 4 epochs
    python examples/spaic/diehl_cook_digits.py --quick    # 30 neurons, 300 samples, 1 epoch

Prints the held-out accuracy and the training time, and saves the learned receptive fields
as examples/out/diehl_cook_digits.png.
"""
import argparse
import os
import time

import numpy as np

import pyspike.spaic as spaic

RUN_TIME = 100.0         # ms per sample (SPAIC's STDP example: 25.6; Diehl & Cook: 350)


def to_784(x: np.ndarray) -> np.ndarray:
    """8x8 digits as 28x28 images: each pixel 3x3, a border of 2."""
    x = np.asarray(x).reshape(-1, 8, 8)
    return np.pad(np.kron(x, np.ones((3, 3))), ((0, 0), (2, 2), (2, 2))).reshape(len(x), 784)


class DiehlCook(spaic.Network):
    def __init__(self, n: int, unit_conversion: float):
        super().__init__()
        self.input = spaic.Encoder(num=784, coding_method="poisson",
                                   unit_conversion=unit_conversion)
        self.exc = spaic.NeuronGroup(n, model="lifstdp_ex")
        self.inh = spaic.NeuronGroup(n, model="lifstdp_ih")
        self.con_in = spaic.Connection(self.input, self.exc, link_type="full",
                                       weight=np.random.rand(n, 784) * 0.3)
        self.con_ei = spaic.Connection(self.exc, self.inh, link_type="full",
                                       weight=np.diag(np.ones(n)) * 22.5)
        self.con_ie = spaic.Connection(self.inh, self.exc, link_type="full",
                                       weight=(np.ones((n, n)) - np.eye(n)) * -120.0)
        self.output = spaic.Decoder(num=n, dec_target=self.exc, coding_method="spike_counts")
        self.learner = spaic.Learner(trainable=self.con_in, algorithm="nearest_online_stdp")


def responses(net, data: np.ndarray, run_time: float, batch: int = 50) -> np.ndarray:
    """Spike counts of the excitatory neurons for each sample (learning off)."""
    net.eval()
    out = []
    for k in range(0, len(data), batch):
        net.input(to_784(data[k:k + batch]))
        net.run(run_time)
        out.append(net.output.predict)
    net.train()
    return np.concatenate(out)


def main(quick: bool = False, seed: int = 1, n: int = 200, epochs: int = 4,
         unit_conversion: float = 0.1, run_time: float = RUN_TIME, plot=True) -> dict:
    """Train, label and test; ``plot``: the receptive fields as a PNG (True: in
    examples/out/, a path: there, False: none)."""
    np.random.seed(seed)                      # the initial weights, as in SPAIC
    train, test = spaic.Digits(is_train=True), spaic.Digits(is_train=False)
    x_train, y_train = np.stack([train[k][0] for k in range(len(train))]), \
        np.array([train[k][1] for k in range(len(train))])
    x_test, y_test = np.stack([test[k][0] for k in range(len(test))]), \
        np.array([test[k][1] for k in range(len(test))])
    if quick:
        n, epochs, x_train, y_train = 30, 1, x_train[:300], y_train[:300]
    net = DiehlCook(n, unit_conversion)
    net.set_random_seed(seed)
    net.build(backend="cpu")
    loader = spaic.Dataloader(spaic.CustomDataset(x_train, y_train), batch_size=1,
                              shuffle=True, seed=seed)
    start = time.perf_counter()
    for _ in range(epochs):
        for data, _label in loader:
            net.input(to_784(data))
            net.run(run_time)
    train_time = time.perf_counter() - start
    # label each neuron with the class it answers most (mean count over that class)
    r_train = responses(net, x_train, run_time)
    mean = np.stack([r_train[y_train == c].mean(axis=0) for c in range(10)])
    labels = np.argmax(mean, axis=0)
    r_test = responses(net, x_test, run_time)
    votes = np.stack([r_test[:, labels == c].mean(axis=1) if (labels == c).any()
                      else np.zeros(len(x_test)) for c in range(10)], axis=1)
    accuracy = float(np.mean(np.argmax(votes, axis=1) == y_test))
    w = net.con_in.weight
    result = {"accuracy": accuracy, "neurons": n, "train_samples": len(x_train) * epochs,
              "train_time_s": train_time, "ms_per_sample": 1e3 * train_time /
              (len(x_train) * epochs), "w_mean": float(w.mean()), "w_std": float(w.std()),
              "silent_test_fraction": float(np.mean(r_test.sum(axis=1) == 0))}
    if plot:
        result["png"] = _plot(w, labels, None if plot is True else str(plot))
    return result


def _plot(w: np.ndarray, labels: np.ndarray, path=None) -> str:
    """Each neuron's 28 x 28 weights, titled with its label; the PNG's path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    side = int(np.ceil(np.sqrt(len(w))))
    fig, axes = plt.subplots(side, side, figsize=(side, side))
    for k, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if k < len(w):
            ax.imshow(w[k].reshape(28, 28), cmap="hot_r", vmin=0)
            ax.set_title(str(labels[k]), fontsize=6)
    if path is None:
        out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "out")
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "diehl_cook_digits.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--neurons", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--unit-conversion", type=float, default=0.1)
    ap.add_argument("--run-time", type=float, default=RUN_TIME)
    args = ap.parse_args()
    r = main(args.quick, args.seed, args.neurons, args.epochs, args.unit_conversion,
             args.run_time)
    print(f"Diehl & Cook on digits: {r['neurons']} neurons, {r['train_samples']} training "
          f"samples in {r['train_time_s']:.1f} s ({r['ms_per_sample']:.1f} ms per sample); "
          f"held-out accuracy {100 * r['accuracy']:.1f} %; weights {r['w_mean']:.3f} "
          f"+- {r['w_std']:.3f}")
