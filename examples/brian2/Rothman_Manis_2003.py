"""Brian2's ``examples/frompapers/Rothman_Manis_2003.py``: the cochlear nucleus neuron
model of Rothman & Manis (2003, J Neurophysiol 89:3097), adapted from their NEURON code
by Romain Brette.

Brian2's model text and numbers: a single compartment (C 12 pF) with fast sodium, high-
and low-threshold potassium, A-type potassium, hyperpolarisation-activated (ih and the
ihcno variant) and leak currents at 22 degrees Celsius, exponential Euler at dt = 0.1
ms; 50 ms to settle at rest from v = El, then a 250 pA pulse for 100 ms.  The model types
differ only by their maximal conductances (Brian2's table: type1c, type1t, type12,
type21, type2, type2o).  Brian2's example runs the one it names (type1c); this port runs
all six, one neuron each (the same model text, each with its table row), and prints,
per type, the resting potential the pulse starts from, the number of spikes (upward crossings of
-20 mV between recorded samples), the latency of the first, the largest v and v at the
end.  The type I cells fire repetitively through the pulse, the type II cells (type2,
type2o: the octopus cell) only a few spikes at its onset, as in the paper.  The samples
are those of Brian2's StateMonitor (created after the settling run, values at the start
of each step), so the numbers equal Brian2's.

    python examples/brian2/Rothman_Manis_2003.py [--quick]
"""
import sys
from typing import Dict, Optional

import numpy as np

import pyspike as ps
from pyspike.units import mV, ms, nS, pA, pF

Ipulse = 250*pA
C = 12*pF
Eh = -43*mV
EK = -70*mV  # -77*mV in mod file
El = -65*mV
ENa = 50*mV
nf = 0.85  # proportion of n vs p kinetics
zss = 0.5  # steady state inactivation of glt
temp = 22.  # temperature in degree celcius
q10 = 3. ** ((temp - 22) / 10.)
frac = 0.0
qt = 4.5 ** ((temp - 33.) / 10.)

maximal_conductances = dict(
    type1c=(1000, 150, 0, 0, 0.5, 0, 2),
    type1t=(1000, 80, 0, 65, 0.5, 0, 2),
    type12=(1000, 150, 20, 0, 2, 0, 2),
    type21=(1000, 150, 35, 0, 3.5, 0, 2),
    type2=(1000, 150, 200, 0, 20, 0, 2),
    type2o=(1000, 150, 600, 0, 0, 40, 2)  # octopus cell
)

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
CONSTANTS = {"C": C, "Eh": Eh, "EK": EK, "El": El, "ENa": ENa, "nf": nf, "zss": zss,
             "temp": temp, "q10": q10, "frac": frac, "qt": qt}


def main(duration: Optional[float] = None, quick: bool = False, backend: str = "cpu",
         seed: int = 1) -> Dict[str, object]:
    pulse = 100.0 if duration is None else float(duration)    # 1500 steps
    dt = 0.1
    types = list(maximal_conductances)
    # one neuron per type: the same model text, each with its own row of the table
    # (independent neurons, so each follows the run of its type alone)
    table = np.array([maximal_conductances[k] for k in types], dtype=float).T
    names = ("gnabar", "gkhtbar", "gkltbar", "gkabar", "ghbar", "gbarno", "gl")
    conductances = {name: row * nS for name, row in zip(names, table)}
    net = ps.Network(dt=dt, seed=seed, backend=backend)
    with net:
        neuron = ps.NeuronGroup(len(types), ps.NeuronModel(
            equations=eqs, method="exponential_euler",
            params=dict(CONSTANTS, **conductances)), init={"v": El})
    net.run(50*ms)  # Go to rest
    with net:
        M = ps.StateMonitor(neuron, "v", record=True)
    neuron.I = Ipulse
    net.run(pulse)
    results: Dict[str, object] = {"pulse_ms": pulse}
    for k, neuron_type in enumerate(types):
        v = np.asarray(M.v)[k]
        up = np.flatnonzero((v[:-1] <= -20.0) & (v[1:] > -20.0)) + 1
        results[f"{neuron_type}_v_rest_mV"] = float(v[0])
        results[f"{neuron_type}_n_spikes"] = int(up.size)
        results[f"{neuron_type}_first_spike_ms"] = float(up[0] * dt) if up.size \
            else float("nan")
        results[f"{neuron_type}_v_max_mV"] = float(v.max())
        results[f"{neuron_type}_v_end_mV"] = float(v[-1])
    for key, value in results.items():
        print(f"{key}: {value}")
    return results


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
