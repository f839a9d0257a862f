"""The network of SPAIC's README, built both ways SPAIC offers, by class inheritance and
in a ``with`` block, and run by pyspike.spaic: a latency encoder of 784 inputs, two
``clif`` layers (100 and 10 neurons) joined by full connections, a ``spike_counts``
decoder and a monitor of the first layer's potential.  (The README's
``Encoder(dataloader, encoding=...)``, ``spaic.STCA`` and ``spaic.Adam`` are not SPAIC's
real calls; the encoder is written as SPAIC 0.6.2 takes it, and the gradient learner,
``spaic.Learner(trainable=net, algorithm="STCA")`` with ``set_optimizer("Adam", 0.001)``
(tests/spaic/test_spaic_gradient_learners.py), is left out here because it needs torch,
which this example does not.)

    python examples/spaic/readme_structure.py

Prints the members of both networks and the decoder's output for the same input, which
is the same both ways.
"""
import numpy as np

import pyspike.spaic as spaic

RUN_TIME = 20.0


def weights():
    """Weights that make the clif layers fire (SPAIC's defaults leave them silent; clif
    runs with V0 = 1, as SPAIC 0.6.3 clamps it)."""
    rng = np.random.default_rng(0)
    return rng.uniform(0, 0.06, size=(100, 784)), rng.uniform(0, 0.3, size=(10, 100))


class ExampleNet(spaic.Network):                   # modelling method 1: a class
    def __init__(self):
        super().__init__()
        w1, w2 = weights()
        self.input = spaic.Encoder(num=784, coding_method="latency")
        self.layer1 = spaic.NeuronGroup(100, model="clif")
        self.layer2 = spaic.NeuronGroup(10, model="clif")
        self.connection1 = spaic.Connection(self.input, self.layer1, link_type="full",
                                            weight=w1)
        self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type="full",
                                            weight=w2)
        self.output = spaic.Decoder(num=10, dec_target=self.layer2,
                                    coding_method="spike_counts")
        self.monitor1 = spaic.StateMonitor(self.layer1, "V")


def with_block():                                  # modelling method 2: with
    net = spaic.Network()
    w1, w2 = weights()
    with net:
        input = spaic.Encoder(num=784, coding_method="latency", name="input")
        layer1 = spaic.NeuronGroup(100, model="clif", name="layer1")
        layer2 = spaic.NeuronGroup(10, model="clif", name="layer2")
        spaic.Connection(input, layer1, link_type="full", weight=w1, name="connection1")
        spaic.Connection(layer1, layer2, link_type="full", weight=w2, name="connection2")
        spaic.Decoder(num=10, dec_target=layer2, coding_method="spike_counts", name="output")
        spaic.StateMonitor(layer1, "V", name="monitor1")
    return net


def run(net, data):
    net.set_random_seed(1)
    net.build(backend="cpu")
    net.input(data)
    net.run(RUN_TIME)
    return net.output.predict


def main(quick: bool = False) -> dict:
    data = np.random.default_rng(1).uniform(0, 1, size=(4, 784))
    a, b = ExampleNet(), with_block()
    out_a, out_b = run(a, data), run(b, data)
    return {"class_members": list(a._groups) + list(a._connections),
            "with_members": list(b._groups) + list(b._connections),
            "predict_class": out_a.tolist(), "predict_with": out_b.tolist(),
            "same": bool(np.array_equal(out_a, out_b)),
            "v_shape": list(a.monitor1.values.shape)}


if __name__ == "__main__":
    r = main()
    print("by class:", ", ".join(r["class_members"]))
    print("by with: ", ", ".join(r["with_members"]))
    print("spike counts of layer2 (4 samples), by class:", r["predict_class"])
    print("the same both ways:", r["same"], "; layer1's V recorded as", r["v_shape"])
