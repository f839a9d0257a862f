"""CUBA, COBA and COBAHH in Brian2 (C++ standalone), the peers of examples/networks.py.

    <peer venv python> bench/peers/brian2_nets.py MODEL N BUILD_DIR [--seed S] [--duration MS]
        [--threads T]

Runs ONE case and prints one JSON line (the last line of stdout). Run it with the python of
the peer venv (bench/peers/setup.sh), never the system python. The models are the Brian2
examples (CUBA.py, COBAHH.py; COBA as in Brette et al. 2007) with the equations, parameters,
integration methods, sizes and connection probabilities of examples/networks.py:
min(0.02, 80/N) from the first 80% (excitatory) and last 20% (inhibitory) of the group onto
the whole group, self-connections allowed, no delay.

What is timed (all with time.perf_counter in this process unless said otherwise):

- ``setup_s``: building the network objects in Python (groups, initial values, Synapses,
  the ``connect`` calls, the SpikeMonitor). In standalone mode ``connect`` only records
  what to do: the synapses are made by the compiled binary, before its time loop.
- ``codegen_s``: the ``run(duration)`` call; with ``build_on_run=False`` this generates the
  code objects (sympy, templates) and runs nothing.
- ``compile_s``: ``device.build(compile=True, run=False)``: writes the project and runs
  make (Brian2's default ``make -j``, so both cores may compile in parallel) and g++.
- ``build_s`` = codegen_s + compile_s: code generation plus compilation.
- ``run_s``: Brian2's own measure of the simulation loop, ``device._last_run_time``: the
  binary writes it to results/last_run_info.txt (Network::run in network.cpp). Without
  OpenMP (openmp_threads = 0, one thread: ``--threads 1``, the default) it is std::clock()
  time, i.e. the CPU time of the time loop alone: no synapse creation, no initialisation,
  no writing of results; with ``--threads T`` > 1 (openmp_threads = T) Brian2 takes
  omp_get_wtime(), the wall-clock time of the same loop.
- ``binary_s``: wall-clock time of the whole binary (``device.run``): initial values,
  synapse creation, the time loop and writing the results to disk.
- ``rate_hz``: spikes / (N * duration) from a SpikeMonitor on the whole group.
- memory: ``python_rss_mb`` is this process's peak RSS (RUSAGE_SELF, ru_maxrss), and
  ``binary_rss_mb`` the peak RSS of the standalone binary alone: the binary is started
  through a small wrapper (prefs.devices.cpp_standalone.run_cmd_unix) that spawns it and
  reads its rusage with os.wait4, so the compilers (also children of this process) do not
  count. ``peak_rss_mb`` = python_rss_mb + binary_rss_mb, since both processes are alive
  while the binary runs.
"""
import argparse
import json
import os
import resource
import sys
import time

WRAPPER = r"""
import os, sys
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(os.environ["BENCH_BINARY_RUSAGE"], "w") as f:
    f.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def p_connect(n: int) -> float:
    """As examples/networks.py: 0.02 at 4000 neurons, ~80 inputs per neuron when larger."""
    return min(0.02, 80.0 / n)


def cuba(n):
    from brian2 import NeuronGroup, Synapses, mV, ms
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    eqs = """
    dv/dt  = (ge + gi - (v - El)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : volt
    dgi/dt = -gi / taui : volt
    """
    P = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method="exact", namespace=dict(taum=taum, taue=taue, taui=taui, Vt=Vt,
                                                   Vr=Vr, El=El))
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0 * mV
    P.gi = 0 * mV
    n_exc = n * 4 // 5
    Ce = Synapses(P[:n_exc], P, on_pre="ge_post += we",
                  namespace={"we": (60 * 0.27 / 10) * mV})
    Ci = Synapses(P[n_exc:], P, on_pre="gi_post += wi",
                  namespace={"wi": (-20 * 4.5 / 10) * mV})
    Ce.connect(p=p_connect(n))
    Ci.connect(p=p_connect(n))
    return P, [P, Ce, Ci]


def coba(n):
    from brian2 import NeuronGroup, Synapses, mV, ms
    ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV, El=-60 * mV,
              Ee=0 * mV, Ei=-80 * mV, I=20 * mV)
    eqs = """
    dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    P = NeuronGroup(n, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method="exponential_euler", namespace=ns)
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = 0
    P.gi = 0
    n_exc = n * 4 // 5
    Ce = Synapses(P[:n_exc], P, on_pre="ge_post += we", namespace={"we": 0.6})
    Ci = Synapses(P[n_exc:], P, on_pre="gi_post += wi", namespace={"wi": 6.7})
    Ce.connect(p=p_connect(n))
    Ci.connect(p=p_connect(n))
    return P, [P, Ce, Ci]


def cobahh(n):
    from brian2 import (NeuronGroup, Synapses, cm, msiemens, mV, ms, nS, siemens, ufarad,
                        umetre)
    area = 20000 * umetre ** 2
    ns = dict(Cm=(1 * ufarad * cm ** -2) * area,          # 200 pF
              gl=(5e-5 * siemens * cm ** -2) * area,      # 10 nS
              El=-65 * mV, EK=-90 * mV, ENa=50 * mV,
              g_na=(100 * msiemens * cm ** -2) * area,    # 20000 nS
              g_kd=(30 * msiemens * cm ** -2) * area,     # 6000 nS
              VT=-63 * mV, taue=5 * ms, taui=10 * ms, Ee=0 * mV, Ei=-80 * mV)
    eqs = """
    dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) - I_na - I_kd) / Cm : volt
    I_na = g_na*(m*m*m)*h*(v - ENa) : amp
    I_kd = g_kd*(n*n*n*n)*(v - EK) : amp
    dm/dt = alpha_m*(1 - m) - beta_m*m : 1
    dn/dt = alpha_n*(1 - n) - beta_n*n : 1
    dh/dt = alpha_h*(1 - h) - beta_h*h : 1
    dge/dt = -ge / taue : siemens
    dgi/dt = -gi / taui : siemens
    alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV - v + VT)/(4*mV))/ms : Hz
    beta_m = 0.28*(mV**-1)*5*mV/exprel((v - VT - 40*mV)/(5*mV))/ms : Hz
    alpha_h = 0.128*exp((17*mV - v + VT)/(18*mV))/ms : Hz
    beta_h = 4./(1 + exp((40*mV - v + VT)/(5*mV)))/ms : Hz
    alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV - v + VT)/(5*mV))/ms : Hz
    beta_n = 0.5*exp((10*mV - v + VT)/(40*mV))/ms : Hz
    """
    P = NeuronGroup(n, eqs, threshold="v > -20*mV", refractory=3 * ms,
                    method="exponential_euler", namespace=ns)
    P.v = "El + (randn()*5 - 5)*mV"
    P.ge = "(randn()*1.5 + 4)*10.*nS"
    P.gi = "(randn()*12 + 20)*10.*nS"
    n_exc = n * 4 // 5
    Ce = Synapses(P[:n_exc], P, on_pre="ge_post += we", namespace={"we": 6 * nS})
    Ci = Synapses(P[n_exc:], P, on_pre="gi_post += wi", namespace={"wi": 67 * nS})
    Ce.connect(p=p_connect(n))
    Ci.connect(p=p_connect(n))
    return P, [P, Ce, Ci]


MODELS = {"cuba": cuba, "coba": coba, "cobahh": cobahh}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", choices=sorted(MODELS))
    ap.add_argument("n", type=int)
    ap.add_argument("build_dir", help="a fresh directory for the standalone project")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms of model time")
    ap.add_argument("--threads", type=int, default=1,
                    help="OpenMP threads of the standalone binary (1: no OpenMP)")
    args = ap.parse_args()

    t_import = time.perf_counter()
    import brian2
    from brian2 import (Network, SpikeMonitor, defaultclock, device, ms, prefs, seed,
                        set_device)
    t_import = time.perf_counter() - t_import

    build_dir = os.path.abspath(args.build_dir)
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
    # one thread: no OpenMP at all (Brian2's default); else OpenMP with that many threads
    prefs.devices.cpp_standalone.openmp_threads = args.threads if args.threads > 1 else 0
    rusage_file = os.path.join(build_dir, "binary_rusage.txt")
    device.run_environment_variables["BENCH_BINARY_RUSAGE"] = rusage_file
    prefs.devices.cpp_standalone.run_cmd_unix = [sys.executable, "-c", WRAPPER, "./main"]

    t0 = time.perf_counter()
    defaultclock.dt = 0.1 * ms
    seed(args.seed)
    P, objects = MODELS[args.model](args.n)
    mon = SpikeMonitor(P)
    net = Network(*objects, mon)
    t1 = time.perf_counter()
    net.run(args.duration * ms)                              # code generation only
    t2 = time.perf_counter()
    device.build(directory=build_dir, compile=True, run=False, with_output=False)
    t3 = time.perf_counter()
    device.run(directory=build_dir, with_output=False)       # the binary
    t4 = time.perf_counter()

    n_spikes = int(mon.num_spikes)
    with open(rusage_file) as f:
        binary_kb = int(f.read())
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {
        "simulator": "brian2", "version": brian2.__version__, "model": args.model,
        "n": args.n, "duration_ms": args.duration, "import_s": t_import,
        "setup_s": t1 - t0, "codegen_s": t2 - t1, "compile_s": t3 - t2,
        "build_s": t3 - t1, "run_s": float(device._last_run_time),
        "run_measure": "device._last_run_time (the time loop: " + (
            "omp_get_wtime, OpenMP)" if args.threads > 1 else "std::clock, no OpenMP)"),
        "threads": args.threads,
        "binary_s": t4 - t3, "n_spikes": n_spikes,
        "n_synapses": int(len(objects[1]) + len(objects[2])),
        "rate_hz": n_spikes / (args.n * args.duration * 1e-3),
        "python_rss_mb": self_kb / 1024, "binary_rss_mb": binary_kb / 1024,
        "peak_rss_mb": (self_kb + binary_kb) / 1024,
        "peak_rss_measure": "RUSAGE_SELF of the Python process + ru_maxrss of the binary "
                            "(os.wait4 in a wrapper; compilers excluded)",
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
