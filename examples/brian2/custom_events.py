"""Brian2's ``examples/advanced/custom_events.py``: custom events, besides spikes.

A 250 Hz Poisson source kicks the variable g of neuron G by 0.5; g decays in 10 ms and
drives v slowly (50 ms).  v > 1 is a spike (reset v, g and the boolean allow_gspike);
g > 1 while allow_gspike holds is the custom event ``gspike``, which clears allow_gspike;
g < 1 while it is clear is the event ``end_gspike``, which sets it again: one gspike per
excursion of g above 1.  G's spikes add 1 to x of neuron H through the synapses' ``pre``
pathway, its gspikes add 1 to y through the pathway ``gpath``.  Brian2's example plots g,
v and H's x and y over 500 ms; this prints the counts of input spikes, spikes, gspikes and
end_gspikes, the mean g at the gspikes, the mean v at the spikes and the number of
increments of H's x and y (one per spike and per gspike; they decay in 10 ms).

pyspike's NeuronGroup takes a NeuronModel: threshold, reset and events= are the model's,
with Brian2's text unchanged.

    python examples/brian2/custom_events.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps

EQS_G = """
dv/dt = (g-v)/(50*ms) : 1
dg/dt = -g/(10*ms) : 1
allow_gspike : boolean
"""
EQS_H = """
dx/dt = -x/(10*ms) : 1
dy/dt = -y/(10*ms) : 1
"""


def increments(values: np.ndarray, step: float) -> int:
    """How many times a recorded trace jumps up by about ``step`` (H's x and y)."""
    return int(np.sum(np.diff(values) > step / 2))


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    duration = 500.0 if duration is None else float(duration)   # one neuron: quick already
    model_G = ps.NeuronModel(equations=EQS_G, threshold="v>1",
                             reset="v = 0; g = 0; allow_gspike = True;",
                             events={"gspike": "g>1 and allow_gspike",
                                     "end_gspike": "g<1 and not allow_gspike"})
    net = ps.Network(dt=0.1, seed=seed, backend=backend)
    with net:
        inp = ps.PoissonGroup(1, rates=250.0)                   # Hz
        G = ps.NeuronGroup(1, model_G)
        G.run_on_event("gspike", "allow_gspike = False")
        G.run_on_event("end_gspike", "allow_gspike = True")
        H = ps.NeuronGroup(1, ps.NeuronModel(equations=EQS_H))
        Sin = ps.Synapses(inp, G, on_pre="g += 0.5")
        Sin.connect()
        S = ps.Synapses(G, H, on_pre={"pre": "x += 1", "gpath": "y += 1"},
                        on_event={"pre": "spike", "gpath": "gspike"})
        S.connect()
        Mgspike = ps.EventMonitor(G, "gspike", "g")
        Mend = ps.EventMonitor(G, "end_gspike")
        Mspike = ps.SpikeMonitor(G, "v")
        Minp = ps.SpikeMonitor(inp)
        MHstate = ps.StateMonitor(H, ("x", "y"), record=True)
    G.allow_gspike = True
    net.run(duration)
    g_at, v_at = np.asarray(Mgspike.g), np.asarray(Mspike.v)
    results = {
        "duration_ms": duration,
        "input_spikes": int(Minp.count.sum()),
        "n_spikes": int(Mspike.count.sum()),
        "n_gspikes": int(Mgspike.count.sum()),
        "n_end_gspikes": int(Mend.count.sum()),
        "mean_g_at_gspike": float(g_at.mean()) if g_at.size else float("nan"),
        "mean_v_at_spike": float(v_at.mean()) if v_at.size else float("nan"),
        "H_x_increments": increments(np.asarray(MHstate.x)[0], 1.0),
        "H_y_increments": increments(np.asarray(MHstate.y)[0], 1.0),
    }
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
