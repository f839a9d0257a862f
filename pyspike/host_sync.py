"""Host copies of state that a GPU backend keeps on the device between runs."""
from __future__ import annotations

from .codegen.errors import ModelError


def sync_state(obj) -> None:
    """Bring the host copies of a group's or synapses' state up to date (the CUDA backend
    keeps it on the GPU between runs)."""
    net = obj.network
    if net is not None:
        net._sync()


def device_array(obj, host, name: str):
    """``obj``'s GPU copy of ``host`` (see NeuronGroup.device)."""
    net = obj.network
    if net is None or not net.backend.capabilities.device_arrays:
        raise ModelError(f"'{name}' lives on the GPU only with backend='cuda'",
                         where="device", symbol=name)
    array = net.backend.device_array(host)
    if array is None:
        raise ModelError(f"'{name}' is on the GPU once the network has run (run it first)",
                         where="device", symbol=name)
    return array
