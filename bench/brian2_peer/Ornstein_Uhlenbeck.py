"""Brian2's ``examples/advanced/Ornstein_Uhlenbeck.py``, at the scale of
examples/brian2/Ornstein_Uhlenbeck.py, returning the quantities that example returns (run
with the peer venv's python only)."""
import numpy as np

#: How each compared result must agree (keys returned by both sides' main()):
#: stochastic (white noise): means over 3 seeds within 3 spreads
COMPARE = {
    "y_at_0.5s_tau_1s": ("spread", 3), "std_tau_1s": ("spread", 3),
    "std_tau_0.1s": ("spread", 3), "mean_tau_0.1s": ("spread", 3),
    "autocorrelation_at_tau_0.1s": ("spread", 3),
}
STOCHASTIC = True


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import NeuronGroup, StateMonitor, run, second, start_scope
    from brian2 import seed as brian2_seed
    start_scope()
    brian2_seed(seed)

    N = NeuronGroup(
        2,
        """
        tau : second
        sigma : 1
        dy/dt = -y/tau + sqrt(2*sigma**2/tau)*xi : 1
        """,
        method="euler"
    )

    N.tau = np.array([1, 0.1]) * second
    N.sigma = np.array([0.1, 0.31622])
    N.y = 1

    M = StateMonitor(N, "y", record=True)

    run(10 * second)

    dt = 0.1
    y = np.asarray(M.y)
    slow, fast = y[0, int(5000 / dt):], y[1, int(500 / dt):]
    x = fast - fast.mean()
    lag = int(round(100 / dt))
    return {
        "duration_ms": 10000.0,
        "y_at_0.5s_tau_1s": float(y[0, int(round(500 / dt))]),
        "std_tau_1s": float(slow.std()),
        "std_tau_0.1s": float(fast.std()),
        "mean_tau_0.1s": float(fast.mean()),
        "autocorrelation_at_tau_0.1s": float(np.dot(x[:-lag], x[lag:]) / np.dot(x, x)),
    }
