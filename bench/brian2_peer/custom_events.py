"""Brian2's ``examples/advanced/custom_events.py``, at the scale of
examples/brian2/custom_events.py, returning the quantities that example returns (run with
the peer venv's python only). Monitors as the port has them: Brian2's text records v and g
of G and x and y of H at every step, g at the gspikes and v at the spikes (for plots); the
port also monitors the input spikes and the end_gspike events, counted here alike."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()): Poisson input,
#: so over 3 seeds per side within 4 standard deviations of the seeds.
COMPARE = {"duration_ms": ("exact",), "input_spikes": ("spread", 4),
           "n_spikes": ("spread", 4), "n_gspikes": ("spread", 4),
           "n_end_gspikes": ("spread", 4), "mean_g_at_gspike": ("spread", 4),
           "mean_v_at_spike": ("spread", 4), "H_x_increments": ("spread", 4),
           "H_y_increments": ("spread", 4)}
STOCHASTIC = True


def increments(values: np.ndarray, step: float) -> int:
    """How many times a recorded trace jumps up by about ``step`` (H's x and y)."""
    return int(np.sum(np.diff(values) > step / 2))


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import (EventMonitor, Hz, NeuronGroup, PoissonGroup, SpikeMonitor,
                        StateMonitor, Synapses, ms, run)
    from brian2 import seed as brian2_seed

    brian2_seed(seed)
    # Input Poisson spikes
    inp = PoissonGroup(1, rates=250*Hz)
    # First group G
    eqs_G = '''
    dv/dt = (g-v)/(50*ms) : 1
    dg/dt = -g/(10*ms) : 1
    allow_gspike : boolean
    '''
    G = NeuronGroup(1, eqs_G, threshold='v>1',
                    reset='v = 0; g = 0; allow_gspike = True;',
                    events={'gspike': 'g>1 and allow_gspike',
                            'end_gspike': 'g<1 and not allow_gspike'})
    G.run_on_event('gspike', 'allow_gspike = False')
    G.run_on_event('end_gspike', 'allow_gspike = True')
    # Second group H
    eqs_H = '''
    dx/dt = -x/(10*ms) : 1
    dy/dt = -y/(10*ms) : 1
    '''
    H = NeuronGroup(1, eqs_H)
    # Synapses from input Poisson group to G
    Sin = Synapses(inp, G, on_pre='g += 0.5')
    Sin.connect()
    # Synapses from G to H
    S = Synapses(G, H,
                 on_pre={'pre': 'x += 1',
                         'gpath': 'y += 1'},
                 on_event={'pre': 'spike',
                           'gpath': 'gspike'})
    S.connect()
    # Monitors
    Mgspike = EventMonitor(G, 'gspike', 'g')
    Mend = EventMonitor(G, 'end_gspike')
    Mspike = SpikeMonitor(G, 'v')
    Minp = SpikeMonitor(inp)
    MHstate = StateMonitor(H, ('x', 'y'), record=True)
    # Initialise and run
    G.allow_gspike = True
    run(500*ms)

    g_at, v_at = np.asarray(Mgspike.g), np.asarray(Mspike.v)
    return {
        "duration_ms": 500.0,
        "input_spikes": int(np.asarray(Minp.count).sum()),
        "n_spikes": int(np.asarray(Mspike.count).sum()),
        "n_gspikes": int(np.asarray(Mgspike.count).sum()),
        "n_end_gspikes": int(np.asarray(Mend.count).sum()),
        "mean_g_at_gspike": float(g_at.mean()) if g_at.size else float("nan"),
        "mean_v_at_spike": float(v_at.mean()) if v_at.size else float("nan"),
        "H_x_increments": increments(np.asarray(MHstate.x)[0], 1.0),
        "H_y_increments": increments(np.asarray(MHstate.y)[0], 1.0),
    }
