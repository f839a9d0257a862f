"""pyspike: spiking neural networks from equation strings to fused, compiled kernels.

>>> import pyspike as ps
>>> lif = ps.NeuronModel("dv/dt = (I - v)/tau : mV", threshold="v > 1", reset="v = 0",
...                      params={"I": 2.0, "tau": 10.0})
>>> net = ps.Network(dt=0.1, backend="numpy")
>>> with net:
...     G = ps.NeuronGroup(1, lif)
...     spikes = ps.SpikeMonitor(G)
>>> net.run(20.0)
>>> spikes.count.tolist()
[2]
"""
from .codegen.errors import BuildError, ModelError
from .connection import Connection
from .distributions import Normal, Uniform
from .event_monitor import EventMonitor
from .finite import NonFiniteError
from .group import NeuronGroup, Subgroup
from .inputs import PoissonGroup, PoissonInput, SpikeGeneratorGroup
from .linked import LinkedVariable, linked_var
from .model import NeuronModel
from .monitors import SpikeMonitor, StateMonitor
from .rate_monitor import PopulationRateMonitor
from .network import BuildInfo, Network
from .results import load_results, save_report, save_results
from .results_stream import ResultsStream
from .network_operation import NetworkOperation, network_operation, stop
from .synapses import Synapses
from .timedarray import TimedArray
from . import models

__version__ = "0.1.0"
__all__ = ["load_results", "save_report", "save_results", "ResultsStream", "BuildError",
           "BuildInfo", "Connection", "Normal", "Uniform",
           "EventMonitor", "ModelError", "Network", "NeuronGroup",
           "NeuronModel", "NonFiniteError", "PoissonGroup", "PoissonInput",
           "PopulationRateMonitor", "SpikeGeneratorGroup", "SpikeMonitor", "StateMonitor",
           "Subgroup", "Synapses", "TimedArray", "models", "NetworkOperation",
           "network_operation", "LinkedVariable", "linked_var", "stop"]
