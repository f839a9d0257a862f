"""SPAIC 0.6.3 training peer (issue 17, "Speed"), SPAIC's own idiom (its
Example/test_main.py trains MNIST this way): a ``spaic.Network`` with an Encoder, 'lif'
NeuronGroups joined by 'full' Connections, a 'spike_counts' Decoder,
``Learner(trainable=net, algorithm='STCA', alpha=0.5)`` with ``set_optimizer('Adam',
0.001)``; per batch ``Net.input(data); Net.output(label); Net.run(run_time)``, cross-entropy
on ``Net.output.predict`` (the output spike counts), ``optim_zero_grad()``,
``loss.backward()``, ``optim_step()``; seconds per batch of all of that.

The input is the shared seeded Bernoulli spike array (T, B, n_in) given as it is through
SPAIC's 'null' Encoder (which takes (B, T, n_in)); ``--encoder poisson`` lets SPAIC draw
Poisson spikes from the same rates instead.  dt = 0.1 ms (SPAIC's default), run_time = T*dt.
Runs with the python of bench/peers/setup_spaic.sh's venv:

    ~/.cache/pyspike-spaic-venv/bin/python bench/training_peer/spaic_peer.py \\
        --net 64-100-10 --repeats 20 --warmup 3
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402  (sets the one-thread environment before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

DT = 0.1


def build(spaic, layer_sizes, encoder: str, steps: int):
    """The built SPAIC network, its backend and its run time."""
    n_in = layer_sizes[0]
    run_time = steps * DT

    class TrainNet(spaic.Network):
        def __init__(self):
            super().__init__()
            if encoder == "poisson":
                # the example's rate input: probability rate*dt per step, so rates in 1/ms
                self.input = spaic.Encoder(num=n_in, coding_method="poisson",
                                           unit_conversion=1.0 / DT)
            else:
                self.input = spaic.Encoder(num=n_in, coding_method="null")
            pre = self.input
            for k, n in enumerate(layer_sizes[1:], start=1):
                group = spaic.NeuronGroup(n, model="lif")
                setattr(self, f"layer{k}", group)
                setattr(self, f"connection{k}",
                        spaic.Connection(pre, group, link_type="full"))
                pre = group
            self.output = spaic.Decoder(num=layer_sizes[-1], dec_target=pre,
                                        coding_method="spike_counts")
            self.learner = spaic.Learner(trainable=self, algorithm="STCA", alpha=0.5)
            self.learner.set_optimizer("Adam", 0.001)

    backend = spaic.Torch_Backend("cpu")
    backend.dt = DT
    backend.data_type = torch.float32
    net = TrainNet()
    net.set_backend(backend)
    net.build(backend)
    return net, run_time


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--encoder", choices=("null", "poisson"), default="null",
                   help="null: the shared Bernoulli spikes as given (default); poisson: "
                   "SPAIC's Poisson encoder on the same rates")
    args = common.setup(p.parse_args())
    import spaic
    rss_imports = common.current_rss()
    np.random.seed(args.seed)
    layer_sizes = common.sizes(args.net)
    net, run_time = build(spaic, layer_sizes, args.encoder, args.steps)
    spikes, labels = common.rate_input(layer_sizes[0], args.batch, args.steps, args.seed)
    if args.encoder == "poisson":
        data = spikes.mean(0)                          # the rates' estimate, (B, n_in)
    else:
        data = np.ascontiguousarray(spikes.transpose(1, 0, 2))   # (B, T, n_in)
    label = torch.from_numpy(labels)

    def step() -> float:
        net.input(data)
        net.output(labels)
        net.run(run_time)
        loss = F.cross_entropy(net.output.predict, label)
        net.learner.optim_zero_grad()
        loss.backward()
        net.learner.optim_step()
        return float(loss.detach())

    times, loss = common.timed(step, args.warmup, args.repeats)
    common.emit("spaic", args, times, rss_imports,
                {"last_loss": loss, "algorithm": "STCA", "alpha": 0.5, "model": "lif",
                 "encoder": args.encoder, "dt": DT,
                 "versions": common.versions(("torch", "spaic"))})


if __name__ == "__main__":
    main()
