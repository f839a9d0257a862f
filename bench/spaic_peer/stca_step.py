"""One gradient step of SPAIC 0.6.3 itself, saved for tests/spaic/test_spaic_gradient_learners.py
(issue 17, part 4): a 20 -> 8 -> 3 network (full connections, fixed weights), a fixed
input spike train given as it is through a 'null' Encoder, 50 steps of dt = 0.1 ms, in
float64 (``Torch_Backend.data_type = torch.float64``); the cross-entropy of the output
layer's spike counts against fixed labels; ``loss.backward()``; the weights' gradients.

Cases: clif with STCA (alpha 0.5), STBP (alpha 0.5) and SBP (AtanGrad, alpha 2), lif
with STCA (SPAIC resets lif with ``o.eq(0)*v``, which passes no gradient through the
spike), and clif with STCA and the loss on the output layer's last-step voltage
('final_step_voltage' in place of the spike counts).  Each case also keeps the output
layer's voltage of every step (a 'v_t' decoder; the forward runs of one model are the same
in every case, so it is kept once per model).
Runs with the python of bench/peers/setup_spaic.sh's venv, from the repository root:

    ~/.cache/pyspike-spaic-venv/bin/python bench/spaic_peer/stca_step.py

and writes tests/spaic/data/stca_step.npz (about 25 kB): ``x`` (batch, steps, inputs) uint8,
``<model>_w1``, ``<model>_w2``, ``label``, and per case ``<case>_model``,
``<case>_decoder``, ``<case>_predict`` (what the loss reads), ``<model>_v_t`` (batch,
steps, neurons), ``<case>_loss``, ``<case>_grad_w1``, ``<case>_grad_w2`` (float64).
"""
import argparse
import os

import numpy as np
import torch
import torch.nn.functional as F
import spaic
from spaic.Learning.surrogate import AtanGrad

T, B, N_IN, N_HID, N_OUT = 50, 4, 20, 8, 3
DT = 0.1
#: (case, neuron model, the decoder the loss reads, SPAIC's learner options)
CASES = (("stca", "clif", "spike_counts", {"algorithm": "STCA", "alpha": 0.5}),
         ("stbp", "clif", "spike_counts", {"algorithm": "STBP", "alpha": 0.5}),
         ("sbp_atan", "clif", "spike_counts",
          {"algorithm": "sbp", "surrogate_func": AtanGrad, "alpha": 2.0}),
         ("stca_lif", "lif", "spike_counts", {"algorithm": "STCA", "alpha": 0.5}),
         ("stca_voltage", "clif", "final_step_voltage", {"algorithm": "STCA", "alpha": 0.5}))


def inputs(seed: int):
    """The fixed spike train, weights (both layers fire) and labels."""
    rng = np.random.default_rng(seed)
    x = (rng.random((B, T, N_IN)) < 0.2).astype(np.uint8)
    weights = {"clif": (rng.normal(0.6, 0.5, size=(N_HID, N_IN)),
                        rng.normal(2.0, 1.0, size=(N_OUT, N_HID))),
               "lif": (rng.normal(0.08, 0.1, size=(N_HID, N_IN)),
                       rng.normal(0.3, 0.3, size=(N_OUT, N_HID)))}
    label = np.array([0, 1, 2, 1])
    return x, weights, label


def one_step(model: str, decoder: str, w1, w2, x, label, options: dict) -> dict:
    """SPAIC's forward, loss and backward for one case."""
    class Net(spaic.Network):
        def __init__(self):
            super().__init__()
            self.input = spaic.Encoder(num=N_IN, coding_method="null")
            self.layer1 = spaic.NeuronGroup(N_HID, model=model)
            self.layer2 = spaic.NeuronGroup(N_OUT, model=model)
            self.connection1 = spaic.Connection(self.input, self.layer1, link_type="full",
                                                weight=w1.copy())
            self.connection2 = spaic.Connection(self.layer1, self.layer2, link_type="full",
                                                weight=w2.copy())
            self.output = spaic.Decoder(num=N_OUT, dec_target=self.layer2,
                                        coding_method=decoder)
            self.voltage = spaic.Decoder(num=N_OUT, dec_target=self.layer2,
                                         coding_method="v_t")
            self.learner = spaic.Learner(trainable=self, **options)
            self.learner.set_optimizer("Adam", 0.001)

    backend = spaic.Torch_Backend("cpu")
    backend.dt = DT
    backend.data_type = torch.float64
    net = Net()
    net.set_backend(backend)
    net.build(backend)
    # (a float64 tensor: SPAIC's null encoder casts NumPy data to float32)
    net.input(torch.from_numpy(x.astype(np.float64)))
    net.run(T * DT)
    predict = net.output.predict
    loss = F.cross_entropy(predict, torch.from_numpy(label))
    net.learner.optim_zero_grad()
    loss.backward()
    grads = {}
    params = net.learner.optim.param_groups[0]["params"]
    for name, p in zip(net.learner.training_param_name, params):
        for key in ("connection1", "connection2"):
            if f"{key}<con>" in name and name.endswith("{weight}"):
                grads[key] = p.grad.detach().numpy().copy()
    return {"predict": predict.detach().numpy().copy(), "loss": float(loss.detach()),
            "v_t": net.voltage.predict.detach().numpy().transpose(1, 0, 2).copy(),
            "grad_w1": grads["connection1"], "grad_w2": grads["connection2"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seed", type=int, default=3)
    p.add_argument("--out", default=os.path.join("tests", "spaic", "data", "stca_step.npz"))
    args = p.parse_args()
    torch.set_num_threads(1)
    x, weights, label = inputs(args.seed)
    saved = {"x": x, "label": label, "dt": np.float64(DT),
             "spaic_version": np.array(spaic.__version__ if hasattr(spaic, "__version__")
                                       else "0.6.3")}
    for model, (w1, w2) in weights.items():
        saved[f"{model}_w1"], saved[f"{model}_w2"] = w1, w2
    for case, model, decoder, options in CASES:
        got = one_step(model, decoder, *weights[model], x, label, options)
        print(f"{case}: loss {got['loss']:.6f}, predict sum {got['predict'].sum():.4g}, "
              f"|grad w1| {np.abs(got['grad_w1']).sum():.4g}, "
              f"|grad w2| {np.abs(got['grad_w2']).sum():.4g}")
        saved[f"{case}_model"], saved[f"{case}_decoder"] = np.array(model), np.array(decoder)
        saved[f"{model}_v_t"] = got.pop("v_t")
        for key, value in got.items():
            saved[f"{case}_{key}"] = np.asarray(value)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    np.savez_compressed(args.out, **saved)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
