"""Digits accuracy of the training peers (issue 17, "Training works"): scikit-learn's
load_digits (8x8, scaled to [0, 1]), held-out 20 % (``train_test_split(test_size=0.2,
stratify=y, random_state=0)``), a 64-100-10 LIF network of snnTorch or SpikingJelly (the
same networks as snntorch_peer.py / spikingjelly_peer.py), T = 25 steps of Bernoulli rate
coding drawn afresh for each batch, cross-entropy on the output spike counts, Adam;
trained for a wall-clock budget on one thread.

    ~/.cache/pyspike-train-venv/bin/python bench/training_peer/digits_peer.py \\
        --library snntorch --seconds 60 --seed 0 [--batch 128] [--lr 1e-3]

Prints one JSON line: after each epoch the held-out accuracy and the training seconds so
far (evaluation excluded), the best and the final accuracy.  The held-out set is encoded
with its own seeded generator, the same spikes at every evaluation; the prediction is the
output neuron with the most spikes (the first of a tie).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (sets the one-thread environment before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

LIBRARIES = ("snntorch", "spikingjelly")


def load_split():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def encode(rates: torch.Tensor, steps: int, gen: torch.Generator) -> torch.Tensor:
    """Bernoulli spikes (T, B, n) with probability ``rates`` (B, n) at each step."""
    return torch.bernoulli(rates.expand(steps, *rates.shape), generator=gen)


def accuracy(model, after, X: torch.Tensor, y: torch.Tensor, steps: int, seed: int) -> float:
    gen = torch.Generator().manual_seed(seed + 1_000_003)
    correct = 0
    with torch.no_grad():
        for i in range(0, len(X), 512):
            counts = model(encode(X[i:i + 512], steps, gen)).sum(0)
            correct += int((counts.argmax(1) == y[i:i + 512]).sum())
            if after is not None:
                after()
    return correct / len(X)


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--library", choices=LIBRARIES, required=True)
    p.add_argument("--seconds", type=float, default=60.0, help="training wall-clock budget")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate")
    p.set_defaults(net="64-100-10", batch=128, steps=25)
    args = common.setup(p.parse_args())
    if args.library == "snntorch":
        import snntorch_peer as peer
    else:
        import spikingjelly_peer as peer
    Xtr, Xte, ytr, yte = (torch.from_numpy(a) for a in load_split())
    model, after = peer.build(common.sizes(args.net))
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    curve, elapsed, epoch, done = [], 0.0, 0, False
    while not done:
        epoch += 1
        order = torch.randperm(len(Xtr), generator=gen)
        t0 = time.perf_counter()
        for i in range(0, len(order), args.batch):
            idx = order[i:i + args.batch]
            opt.zero_grad()
            counts = model(encode(Xtr[idx], args.steps, gen)).sum(0)
            loss = F.cross_entropy(counts, ytr[idx])
            loss.backward()
            opt.step()
            if after is not None:
                after()
            if elapsed + time.perf_counter() - t0 >= args.seconds:
                done = True
                break
        elapsed += time.perf_counter() - t0
        acc = accuracy(model, after, Xte, yte, args.steps, args.seed)
        curve.append({"epoch": epoch if not done or i + args.batch >= len(order)
                      else epoch - 1 + (i + args.batch) / len(order),
                      "train_s": round(elapsed, 3), "accuracy": acc,
                      "loss": round(float(loss.detach()), 4)})
    accs = [c["accuracy"] for c in curve]
    full = [c for c in curve if float(c["epoch"]).is_integer()]
    print(json_line(args, curve, accs, full), flush=True)


def json_line(args, curve, accs, full) -> str:
    import json
    return json.dumps({
        "library": args.library, "seed": args.seed, "seconds": args.seconds,
        "batch": args.batch, "lr": args.lr, "steps": args.steps, "threads": args.threads,
        "test_size": 0.2, "epochs": curve, "best": max(accs), "final": accs[-1],
        "s_per_epoch": (full[-1]["train_s"] / full[-1]["epoch"]) if full else None,
        "versions": common.versions(("torch", args.library, "scikit-learn"))})


if __name__ == "__main__":
    main()
