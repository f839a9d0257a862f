"""SpikingJelly 2.0 training peer (issue 17, "Speed"): layer.Linear -> neuron.LIFNode ->
layer.Linear -> neuron.LIFNode in multi-step mode (``step_mode='m'``: each Linear is one
matrix product over all T steps, each LIFNode one ``functional.lif_multi_step`` call),
``LIFNode(tau=2.0, surrogate_function=surrogate.ATan())``, ``functional.reset_net`` after
each batch; cross-entropy on the output spike counts, Adam lr 1e-3; seconds per batch of
forward + backward + step.

SpikingJelly 2.0's LIFNode has no ``backend=`` argument any more (1.x had 'torch'/'cupy');
on the CPU its multi-step LIF is the torch implementation.

    ~/.cache/pyspike-train-venv/bin/python bench/training_peer/spikingjelly_peer.py \\
        --net 64-100-10 --repeats 20 --warmup 3
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (sets the one-thread environment before torch loads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


def build(layer_sizes, tau: float = 2.0):
    """The network (a multi-step nn.Sequential mapping (T, B, n_in) to output spikes
    (T, B, n)) and what to call after each batch (``functional.reset_net``)."""
    from spikingjelly.activation_based import functional, layer, neuron, surrogate
    mods = []
    for a, b in zip(layer_sizes, layer_sizes[1:]):
        mods.append(layer.Linear(a, b, step_mode="m"))
        mods.append(neuron.LIFNode(tau=tau, surrogate_function=surrogate.ATan(),
                                   step_mode="m"))
    net = nn.Sequential(*mods)
    return net, lambda: functional.reset_net(net)


def main() -> None:
    args = common.setup(common.parser(__doc__).parse_args())
    from spikingjelly.activation_based import functional, layer, neuron, surrogate  # noqa: F401
    rss_imports = common.current_rss()
    model, after = build(common.sizes(args.net))
    spikes, labels = common.rate_input(common.sizes(args.net)[0], args.batch, args.steps,
                                       args.seed)
    x, y = torch.from_numpy(spikes), torch.from_numpy(labels)
    times, loss = common.timed(common.torch_step(model, x, y, after), args.warmup,
                               args.repeats)
    common.emit("spikingjelly", args, times, rss_imports,
                {"last_loss": loss, "surrogate": "ATan", "tau": 2.0,
                 "versions": common.versions(("torch", "spikingjelly"))})


if __name__ == "__main__":
    main()
