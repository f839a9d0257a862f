"""When a monitor records a step's value: SPAIC 0.6.3 itself against pyspike.spaic on one
small network, step for step (issue 17's follow-up: V traces recorded one step late).

A 3 -> 2 -> 2 network (full connections, fixed weights), a fixed input spike train given
as it is through a 'null' Encoder, 20 steps of dt = 0.1 ms in float64, for each model
``lif`` and ``clif``; recorded: StateMonitors of V, O and Isyn of both layers (and of
layer 2's V every 3 steps: ``dt=0.3``), the 'v_t', 'final_step_voltage' and
'spike_counts' decoders of the output layer, and a SpikeMonitor of it.  SPAIC records
each step's values after the step's operations: a spike on input step 2 reaches layer
1's input in step 3 and layer 2's in step 4 (build strategy 0: one step per
connection), and shows in layer 2's V at index 4.

    ~/.cache/pyspike-spaic-venv/bin/python bench/spaic_peer/monitor_timing.py --impl spaic
    python bench/spaic_peer/monitor_timing.py --impl pyspike

``--impl spaic`` writes tests/spaic/data/monitor_timing.npz (about 9 kB): ``x`` (batch,
steps, inputs), ``dt``, ``<model>_w1``, ``<model>_w2``, and per model:
``<model>_<layer>_<var>`` (batch, neurons, steps) for the StateMonitors,
``<model>_times`` (their times, ms), ``<model>_sparse_V`` and ``<model>_sparse_times``
(every 3 steps), ``<model>_v_t`` (batch, steps, neurons), ``<model>_final`` and
``<model>_counts`` (batch, neurons), ``<model>_spk_times`` (the output layer's spike
times in ms, sample 0) and ``<model>_spk_index``.  ``--impl pyspike`` runs the same on
pyspike.spaic and prints, per record, "equal" or the first index where it differs from
the file (expected: the times, which pyspike.spaic stamps with a step's start and SPAIC
with its end, and the order of spk_index, SPAIC's by neuron, pyspike's by time).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as peer  # noqa: E402

T, DT = 20, 0.1
OUT = os.path.join("tests", "spaic", "data", "monitor_timing.npz")
MODELS = ("lif", "clif")
VARS = ("V", "O", "Isyn")
EVERY = 3              # a monitor of layer 2's V every 3 steps (dt = 0.3 ms)
LAYERS = ("layer1", "layer2")


def inputs():
    """The spike train (a spike on input step 2 of sample 0, more later) and weights
    that make each layer fire on its input's spikes."""
    x = np.zeros((2, T, 3))
    x[0, 2, 0] = 1.0
    x[0, 6, [0, 1]] = 1.0
    x[1, 1, 2] = x[1, 5, 1] = x[1, 8, 0] = 1.0
    w = {"lif": (np.array([[1.5, 0.4, 0.2], [0.3, 1.2, 1.6]]),
                 np.array([[1.4, 0.3], [0.5, 1.3]])),
         "clif": (np.array([[60.0, 15.0, 5.0], [10.0, 45.0, 55.0]]),
                  np.array([[40.0, 6.0], [9.0, 35.0]]))}
    return x, w


def run(spaic, impl: str, model: str, w1, w2, x) -> dict:
    """One run of ``model``'s network on ``x``: every record, (batch, ...) NumPy."""
    class Net(spaic.Network):
        def __init__(self):
            super().__init__()
            self.input = spaic.Encoder(num=3, coding_method="null")
            self.layer1 = spaic.NeuronGroup(2, model=model)
            self.layer2 = spaic.NeuronGroup(2, model=model)
            self.connection1 = spaic.Connection(self.input, self.layer1, link_type="full",
                                                weight=w1.copy())
            self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type="full",
                                                weight=w2.copy())
            self.v_t = spaic.Decoder(num=2, dec_target=self.layer2, coding_method="v_t")
            self.final = spaic.Decoder(num=2, dec_target=self.layer2,
                                       coding_method="final_step_voltage")
            self.counts = spaic.Decoder(num=2, dec_target=self.layer2,
                                        coding_method="spike_counts")
            self.spikes = spaic.SpikeMonitor(self.layer2, "O")
            for layer in LAYERS:
                for var in VARS:
                    setattr(self, f"mon_{layer}_{var}",
                            spaic.StateMonitor(getattr(self, layer), var))
            self.mon_sparse = spaic.StateMonitor(self.layer2, "V", dt=EVERY * DT)

    backend = spaic.Torch_Backend("cpu")
    backend.dt = DT
    backend.data_type = peer.data_type(impl, "float64")
    net = Net()
    net.set_backend(backend)
    net.build(backend)
    if impl == "spaic":
        import torch
        net.input(torch.from_numpy(x))     # (float64: SPAIC casts NumPy data to float32)
    else:
        net.input(x)
    net.run(round(T * DT, 10))

    def numpy(v):
        return v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v)

    got = {}
    for layer in LAYERS:
        for var in VARS:
            got[f"{layer}_{var}"] = numpy(getattr(net, f"mon_{layer}_{var}").values)
    got["times"] = np.asarray(net.mon_layer2_V.times, dtype=np.float64)
    got["sparse_V"] = numpy(net.mon_sparse.values)
    got["sparse_times"] = np.asarray(net.mon_sparse.times, dtype=np.float64)
    v_t = numpy(net.v_t.predict)
    got["v_t"] = v_t.transpose(1, 0, 2) if impl == "spaic" else v_t   # SPAIC: (T, B, N)
    got["final"] = numpy(net.final.predict)
    got["counts"] = numpy(net.counts.predict)
    got["spk_times"] = np.asarray(net.spikes.spk_times[0], dtype=np.float64)
    got["spk_index"] = np.asarray(net.spikes.spk_index[0], dtype=np.int64)
    return got


def main() -> None:
    p = peer.parser(__doc__)
    p.add_argument("--out", default=OUT)
    args = p.parse_args()
    spaic = peer.load(args.impl)
    x, weights = inputs()
    records = {}
    for model in MODELS:
        for key, value in run(spaic, args.impl, model, *weights[model], x).items():
            records[f"{model}_{key}"] = value
    if args.impl == "spaic":
        saved = {"x": x, "dt": np.float64(DT), **records}
        for model, (w1, w2) in weights.items():
            saved[f"{model}_w1"], saved[f"{model}_w2"] = w1, w2
        os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
        np.savez_compressed(args.out, **saved)
        print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")
    ref = np.load(args.out) if os.path.exists(args.out) else {}
    for key, value in records.items():
        if key not in ref:
            print(f"{key}: {np.round(value, 4).tolist()}")
            continue
        want = ref[key]
        if want.shape != value.shape:
            print(f"{key}: shape {value.shape}, SPAIC's {want.shape}")
            continue
        bad = np.argwhere(~np.isclose(value, want, rtol=1e-9, atol=1e-12))
        print(f"{key}: " + ("equal" if not bad.size else
                            f"differs first at {tuple(bad[0].tolist())}: "
                            f"{value[tuple(bad[0])]!r} vs SPAIC's {want[tuple(bad[0])]!r}"))


if __name__ == "__main__":
    main()
