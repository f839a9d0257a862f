"""CUBA in NEST (iaf_psc_exp), the peer of examples/networks.py's ``cuba``.

    <peer venv python> bench/peers/nest_nets.py cuba N [--seed S] [--duration MS] [--threads T]

Runs ONE case with T threads (local_num_threads, default 1) and prints one JSON line (the
last line of stdout). Run it with the python of the peer venv (bench/peers/setup.sh). Only
CUBA: COBA and COBAHH have no ready-made NEST model with exactly these equations
(iaf_cond_exp differs in its synapses' units and hh_cond_exp_traub in its channel
kinetics), so they are left out.

The pyspike (and Brian2) CUBA neuron, with v, ge, gi in mV:

    dv/dt  = (ge + gi - (v - El)) / taum      (v held at Vr for 5 ms after a spike)
    dge/dt = -ge / taue,   dgi/dt = -gi / taui
    spike from an excitatory neuron: ge += we = 1.62 mV; inhibitory: gi += wi = -9 mV

NEST's iaf_psc_exp, with currents I_ex, I_in in pA and C_m in pF:

    dV/dt = -(V - E_L) / tau_m + (I_ex + I_in + I_e) / C_m
    dI_ex/dt = -I_ex / tau_syn_ex,   dI_in/dt = -I_in / tau_syn_in
    spike with weight w (pA): I_ex += w (w > 0) or I_in += w (w < 0)

Derivation: the two are the same equation when I_ex / C_m = ge / taum at every moment,
i.e. I_ex = ge * C_m / tau_m (and likewise I_in = gi * C_m / tau_m). Both decay with the
same time constant (tau_syn_ex = taue = 5 ms, tau_syn_in = taui = 10 ms), so the relation
holds at all times if it holds for each jump: a jump of w_mV in ge is a jump of
w_pA = w_mV * C_m / tau_m = w_mV * g_L in I_ex. (It is C_m / tau_m, the leak conductance,
not C_m / tau_syn: the synaptic time constant already appears identically in both.)
C_m itself is free since only C_m / tau_m enters; we take g_L = 10 nS, C_m = tau_m * g_L =
200 pF, so w_ex = 1.62 mV * 10 nS = 16.2 pA and w_in = -9 mV * 10 nS = -90 pA.
E_L = -49 mV (above the -50 mV threshold: self-sustained), V_th = -50, V_reset = -60,
t_ref = 5 ms, I_e = 0. NEST too holds V at V_reset while refractory and lets the synaptic
currents go on decaying (and summing input), as the ``(unless refractory)`` flag does.

Differences that remain: NEST needs a delay of at least one step (0.1 ms), where pyspike and
Brian2 apply a spike in the step it happens (no delay); the random numbers (initial V
uniform in [V_reset, V_th), connections) are NEST's own. Connectivity, with
p = min(0.02, 80/N) from the first 80% (excitatory) and the last 20% (inhibitory) onto all
neurons, autapses allowed (``--rule``):

- ``pairwise_bernoulli`` (the default up to N = 40000): each pair with probability p, as
  pyspike's and Brian2's ``connect(p=...)``. NEST draws one number per pair, O(N^2): at
  N = 400000 that is 1.6e11 draws and connecting alone took over 20 minutes here.
- ``fixed_indegree`` (the default above N = 40000): every neuron gets exactly
  round(p * N_exc) excitatory and round(p * N_inh) inhibitory inputs, O(synapses). Same
  mean in-degree, no binomial spread of in-degrees (pyspike/Brian2: sd ~ 8 of ~64).

Timed: ``setup_s`` = ResetKernel and kernel settings; ``build_s`` = network creation
(Create, initial values, spike recorder) + Connect; ``run_s`` = nest.Simulate(duration)
(wall clock, perf_counter). ``peak_rss_mb`` = this process's ru_maxrss (RUSAGE_SELF):
NEST simulates in-process. ``rate_hz`` from a spike_recorder on all neurons.
"""
import argparse
import json
import resource
import sys
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", choices=["cuba"])
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms of model time")
    ap.add_argument("--threads", type=int, default=1, help="NEST's local_num_threads")
    ap.add_argument("--rule", choices=["auto", "pairwise_bernoulli", "fixed_indegree"],
                    default="auto", help="auto: pairwise_bernoulli up to N = 40000")
    args = ap.parse_args()
    n = args.n

    t_import = time.perf_counter()
    real_stdout = sys.stdout
    sys.stdout = sys.stderr                         # NEST's banner is not our JSON
    import nest
    if hasattr(nest, "VerbosityLevel"):            # NEST >= 3.10
        nest.verbosity = nest.VerbosityLevel.ERROR
    else:
        nest.set_verbosity("M_ERROR")
    sys.stdout = real_stdout
    t_import = time.perf_counter() - t_import

    t0 = time.perf_counter()
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": args.threads,
                          "rng_seed": args.seed,
                          "print_time": False})
    t1 = time.perf_counter()

    tau_m, g_L = 20.0, 10.0                         # ms, nS
    C_m = tau_m * g_L                               # 200 pF
    w_ex = (60 * 0.27 / 10) * C_m / tau_m           # 1.62 mV -> 16.2 pA
    w_in = (-20 * 4.5 / 10) * C_m / tau_m           # -9 mV -> -90 pA
    P = nest.Create("iaf_psc_exp", n, params={
        "C_m": C_m, "tau_m": tau_m, "E_L": -49.0, "V_th": -50.0, "V_reset": -60.0,
        "t_ref": 5.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 0.0,
        "V_m": nest.random.uniform(-60.0, -50.0)})
    rec = nest.Create("spike_recorder")
    n_exc = n * 4 // 5
    p = min(0.02, 80.0 / n)
    rule_name = args.rule if args.rule != "auto" else (
        "pairwise_bernoulli" if n <= 40000 else "fixed_indegree")
    for src, w in ((P[:n_exc], w_ex), (P[n_exc:], w_in)):
        if rule_name == "pairwise_bernoulli":
            rule = {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": True}
        else:
            rule = {"rule": "fixed_indegree", "indegree": int(round(p * len(src))),
                    "allow_autapses": True, "allow_multapses": True}
        nest.Connect(src, P, rule, {"synapse_model": "static_synapse", "weight": w,
                                    "delay": 0.1})
    nest.Connect(P, rec)
    t2 = time.perf_counter()
    nest.Simulate(args.duration)
    t3 = time.perf_counter()

    n_spikes = int(rec.get("n_events"))
    n_syn = int(nest.GetKernelStatus("num_connections")) - n     # less the recorder's
    out = {
        "simulator": "nest", "version": nest.__version__, "model": args.model, "n": n,
        "duration_ms": args.duration, "import_s": t_import, "setup_s": t1 - t0,
        "build_s": t2 - t1, "run_s": t3 - t2, "run_measure": "nest.Simulate wall clock",
        "n_spikes": n_spikes, "n_synapses": n_syn,
        "rate_hz": n_spikes / (n * args.duration * 1e-3),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_measure": "RUSAGE_SELF (NEST runs in-process)",
        "threads": int(nest.GetKernelStatus("local_num_threads")),
        "connect_rule": rule_name,
    }
    sys.stdout.flush()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
