"""pyspike's generated training kernels as torch modules (torch is optional: ``pip install
"pyspike-sim[torch]"``).

A neuron model's T steps run forward in one generated kernel and backward in one more
(:class:`~pyspike.train.kernels.NeuronKernels`); the connections are ordinary torch
layers, so the modules compose with any torch code, optimiser and scheduler.  Tensors
reach the kernels without a copy: CPU tensors as NumPy views of the same memory, CUDA
tensors as CuPy views through DLPack (templates/cuda/training.cu.j2's kernels).

>>> import torch, pyspike.torch as pst
>>> layer = pst.SpikingLinear(64, 100, model="lif", surrogate="atan")
>>> x = (torch.rand(25, 8, 64) < 0.3).float()      # (steps, batch, features)
>>> out = layer(x); out.shape
torch.Size([25, 8, 100])
>>> out.sum().backward(); layer.fc.weight.grad.shape
torch.Size([100, 64])
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from ..codegen.errors import ModelError
from ..model import NeuronModel
from ..train.kernels import NeuronKernels

__all__ = ["SpikingNeurons", "SpikingLinear", "SpikingConv2d", "NeuronFunction"]

_DTYPES = {torch.float32: "float32", torch.float64: "float64"}


class NeuronFunction(torch.autograd.Function):
    """The kernels' forward and backward passes as one autograd node: inputs (current
    (T, B, N), recurrent weights or None, trained parameters...), output (T, B, N)."""

    @staticmethod
    def forward(ctx, current, kernels: NeuronKernels, wrec, *trained):
        for name, value in zip(kernels.trainable, trained):
            kernels.values[name] = value.detach().cpu().numpy() if value.dim() else \
                float(value)
        w = None if wrec is None else _view(wrec)
        out, saved = kernels.forward(_view(current), wrec=w)
        ctx.kernels, ctx.saved, ctx.recurrent = kernels, saved, wrec is not None
        if kernels.checkpoint:       # recomputed from the current in the backward pass
            ctx.save_for_backward(current)
        return _tensor(out)

    @staticmethod
    def backward(ctx, gout):
        kernels: NeuronKernels = ctx.kernels
        again = _view(ctx.saved_tensors[0]) if kernels.checkpoint else None
        gin, gp = kernels.backward(_view(gout), ctx.saved, input=again)
        gin = _tensor(gin)
        gw = _tensor(kernels.gwrec).to(gin.dtype) if ctx.recurrent else None
        grads = [torch.as_tensor(gp[n] if isinstance(gp[n], float) else _tensor(gp[n]),
                                 dtype=gout.dtype, device=gin.device)
                 for n in kernels.trainable]
        return (gin, None, gw, *grads)


def _view(t: torch.Tensor):
    """The tensor's memory as the kernels take it: a NumPy array (CPU) or a CuPy array
    (CUDA), no copy (unless the tensor was not contiguous)."""
    t = t.detach().contiguous()
    if t.device.type == "cpu":
        return t.numpy()
    if t.device.type == "cuda":
        import cupy
        return cupy.from_dlpack(t)
    raise ModelError(f"pyspike.torch runs on CPU and CUDA tensors, not on {t.device}",
                     where="pyspike.torch")


def _tensor(a) -> torch.Tensor:
    """A kernel's result as a tensor, sharing its memory."""
    if isinstance(a, np.ndarray):
        return torch.from_numpy(a)
    return torch.from_dlpack(a)


class SpikingNeurons(nn.Module):
    """``n`` neurons of ``model`` over T steps, driven by an input current (T, B, *shape)
    with prod(shape) = n; gives spikes (or the ``output`` state) of the same shape.

    ``trainable`` names model parameters learnt as ``nn.Parameter`` (one per layer, as
    SpikingJelly's PLIF's tau, or one per neuron for those named in ``per_neuron``); the
    other options are NeuronKernels' (``surrogate``,
    ``alpha``, ``params``, ``detach_reset``, ``dt``, ``input``, ``output``...).
    """

    def __init__(self, n: int, model: Union[str, NeuronModel] = "lif", *,
                 trainable: Sequence[str] = (), recurrent: bool = False, **options):
        super().__init__()
        self.n = n
        self.model, self.options = model, dict(options)
        self.recurrent_flag = recurrent
        self._kernels: Dict[Tuple[str, str], NeuronKernels] = {}
        probe = self._build("float64", trainable)
        per_neuron = probe.kernel.per_neuron       # (per_neuron=: one value per neuron)
        self.trained = nn.ParameterDict({
            name: nn.Parameter(torch.full((n,) if name in per_neuron else (),
                                          float(probe.values[name]), dtype=torch.float32))
            for name in probe.trainable})
        self.recurrent = nn.Parameter(torch.empty(n, n).uniform_(-n ** -0.5, n ** -0.5)) \
            if recurrent else None
        self._trainable = tuple(trainable)

    def _build(self, dtype: str, trainable=None, device: str = "cpu") -> NeuronKernels:
        """The kernels for tensors of ``dtype`` on ``device`` ("cpu" or "cuda")."""
        if (dtype, device) not in self._kernels:
            self._kernels[dtype, device] = NeuronKernels(
                self.model, dtype=dtype, recurrent=self.recurrent_flag,
                trainable=tuple(trainable if trainable is not None else self._trainable),
                backend=device, **self.options)
        return self._kernels[dtype, device]

    @property
    def kernels(self) -> NeuronKernels:
        """The float32 kernels (those a float32 module runs)."""
        return self._build("float32")

    def forward(self, current: torch.Tensor) -> torch.Tensor:
        if current.dtype not in _DTYPES:
            raise ModelError(f"the input current must be float32 or float64, not "
                             f"{current.dtype}", where="SpikingNeurons")
        shape = current.shape
        if current.dim() < 3 or int(np.prod(shape[2:])) != self.n:
            raise ModelError(f"the input current must be (steps, batch, ...) with {self.n} "
                             f"values per step and sample, not {tuple(shape)}",
                             where="SpikingNeurons")
        kernels = self._build(_DTYPES[current.dtype], device=current.device.type)
        flat = current.reshape(shape[0], shape[1], self.n)
        trained = [self.trained[n].to(current.dtype) for n in kernels.trainable]
        wrec = None if self.recurrent is None else self.recurrent.to(current.dtype)
        out = NeuronFunction.apply(flat, kernels, wrec, *trained)
        return out.reshape(shape)


class SpikingLinear(nn.Module):
    """``nn.Linear(n_in, n_out)`` applied at every step, into ``SpikingNeurons(n_out)``:
    (T, B, n_in) -> (T, B, n_out).  ``recurrent=True`` adds weights from the layer's own
    spikes of the last step (``.neurons.recurrent``, (n_out, n_out): from, to)."""

    def __init__(self, n_in: int, n_out: int, model: Union[str, NeuronModel] = "lif", *,
                 bias: bool = True, **options):
        super().__init__()
        self.fc = nn.Linear(n_in, n_out, bias=bias)
        self.neurons = SpikingNeurons(n_out, model, **options)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.neurons(self.fc(x))


class SpikingConv2d(nn.Module):
    """``nn.Conv2d`` on every step's (B, C, H, W) frame, then optional pooling of the
    current (``pool="max"|"avg"``, ``pool_size``), into spiking neurons:
    (T, B, C_in, H, W) -> (T, B, C_out, H', W').  ``size`` is the input's (H, W)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, size: Tuple[int, int],
                 model: Union[str, NeuronModel] = "lif", *, stride=1, padding=0,
                 pool: Optional[str] = None, pool_size: int = 2, bias: bool = True,
                 **options):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride,
                              padding=padding, bias=bias)
        pools = {None: None, "max": nn.MaxPool2d, "avg": nn.AvgPool2d}
        if pool not in pools:
            raise ModelError(f"pool must be 'max', 'avg' or None, not {pool!r}",
                             where="SpikingConv2d", symbol=str(pool))
        self.pool = pools[pool](pool_size) if pool else None
        with torch.no_grad():
            probe = self._frames(torch.zeros(1, in_channels, *size))
        self.out_shape = tuple(probe.shape[1:])
        self.neurons = SpikingNeurons(int(np.prod(self.out_shape)), model, **options)

    def _frames(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        return self.pool(y) if self.pool is not None else y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T, B = x.shape[:2]
        current = self._frames(x.reshape(T * B, *x.shape[2:]))
        return self.neurons(current.reshape(T, B, *self.out_shape))
