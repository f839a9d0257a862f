"""SPAIC's own STDP example (spaic/Example/Stdp_test_main.py), SPAIC code (issue 16,
"Speed"): 784 Poisson inputs -> 100 lifstdp_ex neurons with lateral inhibition through 100
lifstdp_ih neurons, nearest_online_stdp on the input weights, batch 1, 256 steps of
dt = 0.1 ms per training sample.  The samples have MNIST's shape: seeded uniform [0, 1]
values (no download).

    python stdp_train.py --impl spaic        # SPAIC itself (torch)
    python stdp_train.py --impl pyspike      # the same text on pyspike.spaic

Departures from the example, the same on both sides: ``model=`` in place of
``neuron_model=`` (SPAIC 0.6.3 rejects the latter), ``nearest_online_stdp`` in place of
``full_online_stdp`` (the issue's workload), the initial weights drawn before the class
(``w_init``, the same draw), no weight monitor and no plot per sample.
Prints the seconds of each training sample and the weights' statistics after them.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as peer  # noqa: E402

p = peer.parser(__doc__)
p.add_argument("--samples", type=int, default=40, help="timed training samples")
p.add_argument("--learner-attr", default="_learner",
               help="the attribute the learner is assigned to (SPAIC's example: _learner)")
args = p.parse_args()
spaic = peer.load(args.impl)

SEED = args.seed
np.random.seed(SEED)
simulator = spaic.Torch_Backend('cpu')
simulator.data_type = peer.data_type(args.impl, args.data_type)
simulator.dt = 0.1

run_time = 256 * simulator.dt
node_num = 784
label_num = 100
bat_size = 1
w_init = np.random.rand(label_num, 784) * 0.3
data = np.random.default_rng(SEED).uniform(0.0, 1.0,
                                          size=(args.warmup + args.samples, bat_size, node_num))


class TestNet(spaic.Network):
    def __init__(self):
        super(TestNet, self).__init__()

        # coding
        self.input = spaic.Encoder(num=node_num, coding_time=run_time, coding_method='poisson',
                                   unit_conversion=0.06375)

        # neuron group
        self.layer1 = spaic.NeuronGroup(label_num, model='lifstdp_ex')
        self.layer2 = spaic.NeuronGroup(label_num, model='lifstdp_ih')

        # decoding
        self.output = spaic.Decoder(num=label_num, dec_target=self.layer1, coding_time=run_time,
                                    coding_method='spike_counts')

        # Connection
        self.connection1 = spaic.Connection(self.input, self.layer1, link_type='full',
                                            weight=w_init)
        self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type='full',
                                            weight=(np.diag(np.ones(label_num))) * 23)
        self.connection3 = spaic.Connection(self.layer2, self.layer1, link_type='full', weight=(
            np.ones((label_num, label_num)) - (np.diag(np.ones(label_num)))) * (-120))

        # Learner (the example's self._learner = ..., under the name --learner-attr gives)
        setattr(self, args.learner_attr,
                spaic.Learner(algorithm='nearest_online_stdp', trainable=self.connection1))

        self.set_backend(simulator)


t0 = time.perf_counter()
Net = TestNet()
Net.set_random_seed(SEED)
Net.build(simulator)
build_s = time.perf_counter() - t0

spikes = []


def train_one(k):
    Net.input(data[k])
    Net.run(run_time)
    spikes.append(float(peer.to_numpy(Net.output.predict).sum()))


times = peer.timed(train_one, args.warmup, args.samples, args.profile)
w = peer.read_weight(Net.connection1)
# what learning changed: the weights less the initial ones normalised as the rule
# normalises (each postsynaptic row sums to 78.4), which is all a silent network would give
w_start = 78.4 * w_init / w_init.sum(axis=1, keepdims=True)
dw = w - w_start
peer.emit({"workload": "stdp_train", "impl": args.impl, "samples": args.warmup + args.samples,
           "learner_attr": args.learner_attr,
           "steps": 256, "dt": 0.1, "build_s": build_s, "times_s": times,
           "w_mean": float(w.mean()), "w_std": float(w.std()),
           "dw_rms": float(np.sqrt((dw ** 2).mean())), "dw_max": float(np.abs(dw).max()),
           "w_at_1": float((w >= 1.0).mean()), "w_at_0": float((w <= 0.0).mean()),
           "spikes_per_sample": float(np.mean(spikes)), "versions": peer.versions(args.impl)})
