"""Brian2's ``examples/frompapers/Rothman_Manis_2003.py``, at the scale of
examples/brian2/Rothman_Manis_2003.py, returning the quantities that example returns (run
with the peer venv's python only).  Brian2's example runs the type it names (type1c);
like the port, this runs all six of its types (one neuron each, side by side)."""
import numpy as np

_TYPES = ("type1c", "type1t", "type12", "type21", "type2", "type2o")
#: How each compared result must agree (keys returned by both sides' main()):
#: deterministic exponential Euler of the same equations, read from the same recorded
#: samples: equal counts and to rounding otherwise (seen: 1e-13 relative)
COMPARE = {
    **{f"{k}_n_spikes": ("exact",) for k in _TYPES},
    **{f"{k}_{what}": ("rel", 1e-9) for k in _TYPES
       for what in ("v_rest_mV", "first_spike_ms", "v_max_mV", "v_end_mV")},
}
STOCHASTIC = False


def _build_type(neuron_type):
    """Brian2's example up to its first run, for one model type: (neuron, Ipulse)."""
    from brian2 import NeuronGroup, mV, nS, pA, pF
    Ipulse = 250*pA

    C = 12*pF  # noqa: F841 (the names below are read by Brian2's namespace)
    Eh = -43*mV  # noqa: F841
    EK = -70*mV  # -77*mV in mod file  # noqa: F841
    El = -65*mV
    ENa = 50*mV  # noqa: F841
    nf = 0.85  # proportion of n vs p kinetics  # noqa: F841
    zss = 0.5  # steady state inactivation of glt  # noqa: F841
    temp = 22.  # temperature in degree celcius
    q10 = 3. ** ((temp - 22) / 10.)  # noqa: F841
    frac = 0.0  # noqa: F841
    qt = 4.5 ** ((temp - 33.) / 10.)  # noqa: F841

    maximal_conductances = dict(
        type1c=(1000, 150, 0, 0, 0.5, 0, 2),
        type1t=(1000, 80, 0, 65, 0.5, 0, 2),
        type12=(1000, 150, 20, 0, 2, 0, 2),
        type21=(1000, 150, 35, 0, 3.5, 0, 2),
        type2=(1000, 150, 200, 0, 20, 0, 2),
        type2o=(1000, 150, 600, 0, 0, 40, 2)  # octopus cell
    )
    gnabar, gkhtbar, gkltbar, gkabar, ghbar, gbarno, gl = \
        [x * nS for x in maximal_conductances[neuron_type]]  # noqa: F841

    eqs_na = """
    ina = gnabar*m**3*h*(ENa-v) : amp
    dm/dt=q10*(minf-m)/mtau : 1
    dh/dt=q10*(hinf-h)/htau : 1
    minf = 1./(1+exp(-(vu + 38.) / 7.)) : 1
    hinf = 1./(1+exp((vu + 65.) / 6.)) : 1
    mtau =  ((10. / (5*exp((vu+60.) / 18.) + 36.*exp(-(vu+60.) / 25.))) + 0.04)*ms : second
    htau =  ((100. / (7*exp((vu+60.) / 11.) + 10.*exp(-(vu+60.) / 25.))) + 0.6)*ms : second
    """
    eqs_kht = """
    ikht = gkhtbar*(nf*n**2 + (1-nf)*p)*(EK-v) : amp
    dn/dt=q10*(ninf-n)/ntau : 1
    dp/dt=q10*(pinf-p)/ptau : 1
    ninf =   (1 + exp(-(vu + 15) / 5.))**-0.5 : 1
    pinf =  1. / (1 + exp(-(vu + 23) / 6.)) : 1
    ntau =  ((100. / (11*exp((vu+60) / 24.) + 21*exp(-(vu+60) / 23.))) + 0.7)*ms : second
    ptau = ((100. / (4*exp((vu+60) / 32.) + 5*exp(-(vu+60) / 22.))) + 5)*ms : second
    """
    eqs_ih = """
    ih = ghbar*r*(Eh-v) : amp
    dr/dt=q10*(rinf-r)/rtau : 1
    rinf = 1. / (1+exp((vu + 76.) / 7.)) : 1
    rtau = ((100000. / (237.*exp((vu+60.) / 12.) + 17.*exp(-(vu+60.) / 14.))) + 25.)*ms : second
    """
    eqs_klt = """
    iklt = gkltbar*w**4*z*(EK-v) : amp
    dw/dt=q10*(winf-w)/wtau : 1
    dz/dt=q10*(zinf-z)/ztau : 1
    winf = (1. / (1 + exp(-(vu + 48.) / 6.)))**0.25 : 1
    zinf = zss + ((1.-zss) / (1 + exp((vu + 71.) / 10.))) : 1
    wtau = ((100. / (6.*exp((vu+60.) / 6.) + 16.*exp(-(vu+60.) / 45.))) + 1.5)*ms : second
    ztau = ((1000. / (exp((vu+60.) / 20.) + exp(-(vu+60.) / 8.))) + 50)*ms : second
    """
    eqs_ka = """
    ika = gkabar*a**4*b*c*(EK-v): amp
    da/dt=q10*(ainf-a)/atau : 1
    db/dt=q10*(binf-b)/btau : 1
    dc/dt=q10*(cinf-c)/ctau : 1
    ainf = (1. / (1 + exp(-(vu + 31) / 6.)))**0.25 : 1
    binf = 1. / (1 + exp((vu + 66) / 7.))**0.5 : 1
    cinf = 1. / (1 + exp((vu + 66) / 7.))**0.5 : 1
    atau =  ((100. / (7*exp((vu+60) / 14.) + 29*exp(-(vu+60) / 24.))) + 0.1)*ms : second
    btau =  ((1000. / (14*exp((vu+60) / 27.) + 29*exp(-(vu+60) / 24.))) + 1)*ms : second
    ctau = ((90. / (1 + exp((-66-vu) / 17.))) + 10)*ms : second
    """
    eqs_leak = """
    ileak = gl*(El-v) : amp
    """
    eqs_hcno = """
    ihcno = gbarno*(h1*frac + h2*(1-frac))*(Eh-v) : amp
    dh1/dt=(hinfno-h1)/tau1 : 1
    dh2/dt=(hinfno-h2)/tau2 : 1
    hinfno = 1./(1+exp((vu+66.)/7.)) : 1
    tau1 = bet1/(qt*0.008*(1+alp1))*ms : second
    tau2 = bet2/(qt*0.0029*(1+alp2))*ms : second
    alp1 = exp(1e-3*3*(vu+50)*9.648e4/(8.315*(273.16+temp))) : 1
    bet1 = exp(1e-3*3*0.3*(vu+50)*9.648e4/(8.315*(273.16+temp))) : 1
    alp2 = exp(1e-3*3*(vu+84)*9.648e4/(8.315*(273.16+temp))) : 1
    bet2 = exp(1e-3*3*0.6*(vu+84)*9.648e4/(8.315*(273.16+temp))) : 1
    """
    eqs = """
    dv/dt = (ileak + ina + ikht + iklt + ika + ih + ihcno + I)/C : volt
    vu = v/mV : 1  # unitless v
    I : amp
    """
    eqs += eqs_leak + eqs_ka + eqs_na + eqs_ih + eqs_klt + eqs_kht + eqs_hcno

    # the names above, as Brian2's example finds them in its module namespace
    namespace = {k: v for k, v in locals().items() if not k.startswith("eqs")}
    neuron = NeuronGroup(1, eqs, method='exponential_euler', namespace=namespace)
    neuron.v = El
    return neuron, Ipulse


def main(quick: bool = False, seed: int = 1) -> dict:
    from brian2 import Network, StateMonitor, mV, ms, start_scope
    start_scope()
    # Brian2's example runs one type; here the six run side by side (independent neurons,
    # one network), so that C++ standalone can run them too
    built = {neuron_type: _build_type(neuron_type) for neuron_type in _TYPES}
    net = Network([neuron for neuron, _ in built.values()])

    net.run(50*ms)  # Go to rest

    monitors = {}
    for neuron_type, (neuron, Ipulse) in built.items():
        monitors[neuron_type] = StateMonitor(neuron, 'v', record=0)
        neuron.I = Ipulse
    net.add(list(monitors.values()))

    net.run(100*ms)

    dt = 0.1
    results = {"pulse_ms": 100.0}
    for neuron_type in _TYPES:
        v = np.asarray(monitors[neuron_type][0].v / mV)
        up = np.flatnonzero((v[:-1] <= -20.0) & (v[1:] > -20.0)) + 1
        results[f"{neuron_type}_v_rest_mV"] = float(v[0])
        results[f"{neuron_type}_n_spikes"] = int(up.size)
        results[f"{neuron_type}_first_spike_ms"] = float(up[0] * dt) if up.size \
            else float("nan")
        results[f"{neuron_type}_v_max_mV"] = float(v.max())
        results[f"{neuron_type}_v_end_mV"] = float(v[-1])
    return results
