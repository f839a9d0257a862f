"""snnTorch 1.0 training peer (issue 17, "Speed"): Linear -> Leaky -> Linear -> Leaky, the
snnTorch tutorials' idiom (a Python loop over the T steps, ``snn.Leaky(beta=0.9)`` with
its default surrogate, which in snnTorch 1.0 is ``surrogate.atan()``), cross-entropy on
the output spike counts, Adam lr 1e-3; seconds per batch of forward + backward + step.

    ~/.cache/pyspike-train-venv/bin/python bench/training_peer/snntorch_peer.py \\
        --net 64-100-10 --repeats 20 --warmup 3 [--surrogate fast_sigmoid]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (sets the one-thread environment before torch loads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


def surrogate(name: str):
    """None (snnTorch's default, atan) or one of snntorch.surrogate's by name."""
    if name in (None, "default"):
        return None
    from snntorch import surrogate as sg
    return getattr(sg, name)()


class Net(nn.Module):
    """Fully connected Leaky layers; forward maps (T, B, n_in) to output spikes (T, B, n)."""

    def __init__(self, layer_sizes, beta: float = 0.9, spike_grad=None):
        super().__init__()
        import snntorch as snn
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(layer_sizes, layer_sizes[1:]))
        self.lifs = nn.ModuleList(snn.Leaky(beta=beta, spike_grad=spike_grad)
                                  for _ in layer_sizes[1:])

    def forward(self, x):
        mems = [lif.init_leaky() for lif in self.lifs]
        out = []
        for step in range(x.shape[0]):
            spk = x[step]
            for k, (fc, lif) in enumerate(zip(self.fcs, self.lifs)):
                spk, mems[k] = lif(fc(spk), mems[k])
            out.append(spk)
        return torch.stack(out)


def build(layer_sizes, surrogate_name: str = None):
    """The network and what to call after each batch (nothing: its state starts afresh in
    forward)."""
    return Net(layer_sizes, spike_grad=surrogate(surrogate_name)), None


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--surrogate", default=None,
                   help="a snntorch.surrogate name (default: snnTorch's own, atan)")
    args = common.setup(p.parse_args())
    import snntorch  # noqa: F401
    rss_imports = common.current_rss()
    model, after = build(common.sizes(args.net), args.surrogate)
    spikes, labels = common.rate_input(common.sizes(args.net)[0], args.batch, args.steps,
                                       args.seed)
    x, y = torch.from_numpy(spikes), torch.from_numpy(labels)
    times, loss = common.timed(common.torch_step(model, x, y, after), args.warmup,
                               args.repeats)
    common.emit("snntorch", args, times, rss_imports,
                {"last_loss": loss, "surrogate": args.surrogate or "atan (default)",
                 "versions": common.versions(("torch", "snntorch"))})


if __name__ == "__main__":
    main()
