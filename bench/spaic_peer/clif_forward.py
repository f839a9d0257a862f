"""Forward run of a clif 784-100-10 network, SPAIC code (issue 16, "Speed"): a batch of
100 samples of MNIST's shape (seeded uniform [0, 1] values, no download) through Poisson
input, 500 steps of dt = 0.1 ms, spike counts of the output layer decoded.

    python clif_forward.py --impl spaic      # SPAIC itself (torch, under torch.no_grad)
    python clif_forward.py --impl pyspike    # the same text on pyspike.spaic

The weights are drawn here (normal, seeded) so that both layers fire: SPAIC's default
0.05*N(0,1) + 0.005 leaves the output layer nearly silent on this input.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as peer  # noqa: E402

p = peer.parser(__doc__)
p.add_argument("--batch", type=int, default=100)
p.add_argument("--steps", type=int, default=500)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--grad", action="store_true", help="SPAIC: run with autograd on")
args = p.parse_args()
spaic = peer.load(args.impl)

dt = 0.1
run_time = args.steps * dt
rng = np.random.default_rng(args.seed)
w1 = rng.normal(0.002, 0.02, size=(100, 784))
w2 = rng.normal(0.05, 0.3, size=(10, 100))
data = rng.uniform(0.0, 1.0, size=(args.batch, 784))


class ClifNet(spaic.Network):
    def __init__(self):
        super(ClifNet, self).__init__()
        self.input = spaic.Encoder(num=784, coding_method='poisson')
        self.layer1 = spaic.NeuronGroup(100, model='clif')
        self.layer2 = spaic.NeuronGroup(10, model='clif')
        self.connection1 = spaic.Connection(self.input, self.layer1, link_type='full',
                                            weight=w1)
        self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type='full',
                                            weight=w2)
        self.output = spaic.Decoder(num=10, dec_target=self.layer2,
                                    coding_method='spike_counts')


simulator = spaic.Torch_Backend('cpu')
simulator.data_type = peer.data_type(args.impl, args.data_type)
simulator.dt = dt

t0 = time.perf_counter()
Net = ClifNet()
Net.set_backend(simulator)
Net.set_random_seed(args.seed)
Net.build(simulator)
build_s = time.perf_counter() - t0

counts = []


def one_batch(k):
    with (peer.autograd() if args.grad else peer.no_grad(args.impl)):
        Net.input(data)
        Net.run(run_time)
        predict = peer.to_numpy(Net.output.predict)
    counts.append(predict)


times = peer.timed(one_batch, args.warmup, args.reps, args.profile)
last = counts[-1]
peer.emit({"workload": "clif_forward", "impl": args.impl, "batch": args.batch,
           "steps": args.steps, "dt": dt, "build_s": build_s, "times_s": times,
           "out_spikes_per_neuron": float(np.mean([c.mean() for c in counts])),
           "out_silent_fraction": float((last.sum(axis=1) == 0).mean()),
           "predict_shape": list(last.shape), "versions": peer.versions(args.impl)})
