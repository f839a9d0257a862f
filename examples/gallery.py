"""A gallery of pyspike's model library: every neuron on a step input and every synapse
on a spike train, in one PNG of small panels.

    python examples/gallery.py [--out examples/gallery.png] [--duration 100]

Each model of ``ps.models.neurons`` (SPAIC's, BrainPy's and the Brette et al. 2007
benchmark neurons; models added to the library later appear by themselves) gets one
neuron with the library's defaults and initial values: no input for the first 20 ms,
then a step of the drive in ``DRIVES`` for ``--duration`` ms, chosen so that the model
spikes or visibly responds (a model without an entry gets ``DEFAULT_DRIVE`` on its
input).  Its panel shows the membrane potential (``V``/``v``, else the first variable in
mV, else the first that is no input).  Each model of ``ps.models.synapses`` connects a
spike generator (five spikes at 100 Hz, then one at 90 ms) to a passive membrane of its
own (GapJunction: a regularly firing Lif neuron, as an electrical synapse needs a
presynaptic voltage); its panel shows the state the kind adds to the target (``g_<kind>``)
or the pathway's current (``I_<kind>``).  All neurons run in one Network and all
synapses in another, on the "cpu" backend, at dt = 0.1 ms (SPAIC's and BrainPy's
default).  One line per model is printed: its spikes under the drive, or the largest
change of its trace.  ``print(ps.models.neurons["HH"])`` shows any model's equations,
defaults and sources.
"""
from __future__ import annotations

import argparse
import os
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple, Union

import matplotlib
import numpy as np

import pyspike as ps

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DT = 0.1
ONSET = 20.0                      # ms without input before the step
BACKEND = "cpu"
#: The inputs a model may have, in order of preference: SPAIC's constant input, BrainPy's
#: current, the rate models' external inputs.
INPUTS = ("Iext", "I", "x_ext", "Ie")
#: Inputs never shown in a panel (SPAIC's per-step input, the rate models' second ones).
NO_PANEL = ("Isyn", "Isyn_last", "y_ext", "Ii")
#: Model name -> amplitude of its step (in the unit of its input), or (input, amplitude)
#: where the input is not one of INPUTS.  A state with a differential equation as input
#: (a synaptic conductance) is held at the amplitude from the onset on.
DRIVES: Dict[str, Union[float, Tuple[str, float]]] = {
    # BrainPy (pA, except AdQuaIF's mV, Izhikevich's mV/ms, FHN's and HR's 1/ms)
    "Lif": 30.0, "LifRef": 30.0, "ExpIF": 10.0, "ExpIFRef": 10.0, "AdExIF": 20.0,
    "AdExIFRef": 20.0, "QuaIF": 10.0, "QuaIFRef": 10.0, "AdQuaIF": 30.0, "AdQuaIFRef": 30.0,
    "Gif": 2.0, "GifRef": 2.0, "Izhikevich": 10.0, "IzhikevichRef": 10.0,
    "ALIFBellec2020": 20.0, "HH": 10.0, "MorrisLecar": 150.0, "WangBuzsakiHH": 1.0,
    "FHN": 0.5, "HindmarshRose": 2.0, "WilsonCowan": 1.0, "StuartLandau": 0.05,
    "QIF": 1.0, "ThresholdLinear": 10.0,
    # (QIF from x_ext = 2 on: exp_auto at dt = 0.1 oscillates where finer steps settle)
    # Brette et al. (2007): a held excitatory input (mV, nS) or the model's own drive I
    "brette_cuba": ("ge", 5.0), "brette_coba": ("I", 20.0), "brette_hh": ("ge", 5.0),
    # SPAIC (dimensionless, added per step of 0.1 ms); hh's forward Euler diverges at
    # dt = 0.1 once it fires a full action potential, so its drive stays below that
    "lif": 0.02, "if": 0.02, "clif": 0.01, "aclif": 0.01, "plif": 1.001, "izh": 10.0,
    "aeif": 1000.0, "adex": 1000.0, "glif": 5.0, "hh": 0.2, "lifstdp_ex": 0.2,
    "lifstdp_ih": 2.0, "alifstdp_ex": 0.03, "nonspikinglif": 0.02, "meanfield": 1.0,
    "constantcurrentlif": 1.5, "lifm": 0.002, "null": 1.0,
}
DEFAULT_DRIVE = 1.0
#: The target of every synapse: a passive membrane (rest -65 mV, 100 MOhm, 20 ms).
PASSIVE = ps.NeuronModel("dV/dt = (El - V + R*I)/tau : mV\nI : pA",
                         params={"El": -65.0, "R": 0.1, "tau": 20.0}, init={"V": -65.0})
SPIKE_TIMES = (10.0, 20.0, 30.0, 40.0, 50.0, 90.0)
#: Synapse name -> (weight, extra Synapses arguments); weights in pA for current-based
#: kinds, nS for conductance-based ones, mV for Delta (onto V).
SYNAPSES: Dict[str, Tuple[float, dict]] = {
    "Delta": (2.0, {"post_var": "V"}), "Expon": (50.0, {}), "DualExpon": (50.0, {}),
    "Alpha": (10.0, {}), "AMPA": (1.0, {"params": {"E": 0.0}}),
    "GABAa": (1.0, {"params": {"E": -80.0}}), "NMDA": (1.0, {}), "BioNMDA": (1.0, {}),
    "STD": (500.0, {}), "STP": (300.0, {}), "GapJunction": (1.0, {}),
}
DEFAULT_WEIGHT = 1.0


@dataclass
class Trace:
    """One panel: a model's name, what is plotted, the trace, and for the summary the
    spikes under the drive (None: the model has no threshold) and how it was driven."""
    name: str
    label: str
    t: np.ndarray
    y: np.ndarray
    spikes: Optional[int] = None
    drive: str = ""
    synapse: bool = False
    marks: Tuple[float, ...] = (ONSET,)   # when the input arrives (dotted lines)

    def summary(self) -> str:
        result = f"{self.spikes} spikes" if self.spikes is not None else \
            f"peak change {np.max(np.abs(self.y - self.y[0])):.3g}"
        return f"{self.name:20s} {result:>20s}  {self.label:24s} {self.drive}"


def input_of(name: str, model: ps.NeuronModel) -> Tuple[str, float]:
    """The input a neuron model is driven through, and the amplitude of its step."""
    drive = DRIVES.get(name, DEFAULT_DRIVE)
    if isinstance(drive, tuple):
        return drive
    names = model.variables + model.param_names
    return next((v for v in INPUTS if v in names), names[0]), float(drive)


def membrane_of(model: ps.NeuronModel, skip: Sequence[str]) -> str:
    """The variable a panel shows: V or v, else the first in mV, else the first that is
    no input."""
    own = [v for v in model.variables if v not in tuple(skip) + INPUTS + NO_PANEL]
    named = [v for v in ("V", "v") if v in own]
    in_mv = [v for v in own if model.dims.get(v) == ps.units.mV.dim]
    return (named or in_mv or own or model.variables)[0]


def unit_of(owner, var: str) -> str:
    """The unit of ``var`` of a model or Synapses in base units: "" where it has none
    (SPAIC's variables) or is dimensionless."""
    dim = owner.dims.get(var)
    unit = "" if dim is None else ps.units.Quantity(1.0, dim).unit_text
    return "" if unit == "1" else unit


def _labelled(owner, var: str, value: Optional[float] = None) -> str:
    """"V (mV)", or with a value "I = 30 pA"."""
    unit = unit_of(owner, var)
    if value is None:
        return f"{var} ({unit})" if unit else var
    return f"{var} = {value:g}" + (f" {unit}" if unit else "")


def _driven_neuron(name: str, index: int) -> dict:
    """One neuron of the library model ``name``, its monitors and its drive: an input
    that keeps its value is set after ONSET (returned as ``step``); a decaying state (a
    conductance) is held at the drive from ONSET on."""
    model = ps.models.neurons[name]
    var, amp = input_of(name, model)
    G = ps.NeuronGroup(1, model, name=f"neuron_{index}")
    step = None
    if f"d{var}/dt" in model.equations.replace(" ", ""):
        G.run_regularly(f"{var} = where(t >= {ONSET - DT / 2}, {amp}, 0)")
    else:
        setattr(G, var, 0.0)
        step = (G, var, amp)
    shown = membrane_of(model, [var])
    return dict(name=name, model=model, shown=shown, step=step,
                drive=f"(drive {_labelled(model, var, amp)})",
                trace=ps.StateMonitor(G, shown, record=True),
                spikes=ps.SpikeMonitor(G) if model.threshold else None)


def run_neurons(duration: float = 100.0, names: Optional[Sequence[str]] = None) -> List[Trace]:
    """Every library neuron (or ``names``), one neuron each, in one Network: no input for
    ONSET ms, then its drive for ``duration`` ms."""
    names = list(ps.models.neurons) if names is None else list(names)
    net = ps.Network(dt=DT, seed=1, backend=BACKEND)
    with net:
        parts = [_driven_neuron(name, k) for k, name in enumerate(names)]
    net.run(ONSET)
    for G, var, amp in (p["step"] for p in parts if p["step"]):
        setattr(G, var, amp)
    net.run(duration)
    return [Trace(p["name"], _labelled(p["model"], p["shown"]), p["trace"].t,
                  getattr(p["trace"], p["shown"])[0],
                  None if p["spikes"] is None else int(np.sum(p["spikes"].t >= ONSET - DT / 2)),
                  p["drive"]) for p in parts]


def run_synapses(duration: float = 120.0, names: Optional[Sequence[str]] = None
                 ) -> List[Trace]:
    """Every library synapse (or ``names``) from one spike generator onto a passive
    membrane of its own, in one Network; GapJunction couples a spiking Lif neuron to it."""
    names = list(ps.models.synapses) if names is None else list(names)
    net = ps.Network(dt=DT, seed=1, backend=BACKEND)
    parts = []
    with net:
        gen = ps.SpikeGeneratorGroup(1, indices=[0] * len(SPIKE_TIMES), times=SPIKE_TIMES)
        for name in names:
            kind = ps.models.synapses[name]
            w, kwargs = SYNAPSES.get(name, (DEFAULT_WEIGHT, {}))
            target = ps.NeuronGroup(1, PASSIVE, name=f"s_{len(parts)}")
            source = gen
            if kind.align == "gap":      # an electrical synapse needs a presynaptic voltage
                source = ps.NeuronGroup(1, "Lif", params={"V_rest": -65.0, "V_th": -50.0,
                                                          "V_reset": -70.0},
                                        init={"V": -65.0, "I": 25.0})
            S = ps.Synapses(source, target, model=kind, **kwargs)
            S.connect(i=[0], j=[0])
            S.w = w
            shown = _synaptic_trace(target)
            parts.append((name, target.model, shown, f"({_labelled(S, 'w', w)})",
                          ps.StateMonitor(target, shown, record=True),
                          () if source is not gen else SPIKE_TIMES))
    net.run(duration)
    return [Trace(name, _labelled(model, shown), mon.t, getattr(mon, shown)[0],
                  drive=w, synapse=True, marks=marks)
            for name, model, shown, w, mon, marks in parts]


def _synaptic_trace(target: ps.NeuronGroup) -> str:
    """What a synapse panel shows: the state its kind adds to the target (``g_<kind>``),
    else the pathway's current (``I_<kind>``), else the membrane (Delta)."""
    if not target.model.extensions:
        return "V"
    suffix = target.model.extensions[-1].suffix
    return next(v for v in (f"g_{suffix}", f"I_{suffix}") if v in target.model.variables)


def plot(traces: Sequence[Trace], out: str, columns: int = 8) -> None:
    """One PNG: a small panel per trace, titled with the model's name."""
    rows = -(-len(traces) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.4 * columns, 1.7 * rows),
                             squeeze=False)
    for ax, tr in zip(axes.flat, traces):
        for t in tr.marks:
            ax.axvline(t, color="0.8", lw=0.6, ls=":")
        ax.plot(tr.t, tr.y, lw=0.8, color="C3" if tr.synapse else "C0")
        title = tr.name + ("" if tr.spikes is None else f"  ({tr.spikes} sp)")
        ax.set_title(title, fontsize=8)
        ax.set_ylabel(tr.label, fontsize=6, labelpad=1)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(traces):]:
        ax.axis("off")
    fig.supxlabel(f"time (ms): neurons (blue) get their step at {ONSET:g} ms, synapses (red) "
                  "receive spikes at " + ", ".join(f"{t:g}" for t in SPIKE_TIMES) + " ms "
                  "(dotted lines); sp: spikes under the drive", fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> List[Trace]:
    """Run the gallery, print one line per model, save the PNG; give back the traces."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "gallery.png"))
    parser.add_argument("--duration", type=float, default=100.0,
                        help="ms of drive after the 20 ms without input")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    traces = run_neurons(args.duration) + run_synapses(args.duration + ONSET)
    for tr in traces:
        print(tr.summary())
    plot(traces, args.out)
    print(f"{len(traces)} models in {time.perf_counter() - t0:.1f} s -> {args.out}")
    return traces


if __name__ == "__main__":
    main()
