"""``bp.visualize.raster_plot`` and ``line_plot`` (matplotlib), as BrainPy draws them."""
from __future__ import annotations

import numpy as np

from .core import missing


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise missing("bp.visualize without matplotlib", "pip install matplotlib",
                      where="bp.visualize") from None
    return plt


def raster_plot(ts, sp_matrix, ax=None, marker: str = ".", markersize: float = 2,
                color: str = "k", xlabel: str = "Time (ms)", ylabel: str = "Neuron index",
                xlim=None, ylim=None, title=None, show: bool = False, **kwargs):
    """A dot for each spike of ``sp_matrix`` (steps x neurons) at the time ``ts``."""
    plt = _pyplot()
    steps, index = np.nonzero(np.asarray(sp_matrix))
    ax = ax or plt.gca()
    ax.plot(np.asarray(ts)[steps], index, marker, markersize=markersize, color=color,
            **kwargs)
    _finish(plt, ax, xlabel, ylabel, xlim, ylim, False, title, show)


def line_plot(ts, val_matrix, plot_ids=None, ax=None, xlim=None, ylim=None,
              xlabel: str = "Time (ms)", ylabel=None, legend=None, title=None,
              show: bool = False, **kwargs):
    """One line per column of ``val_matrix`` (steps x units) chosen by ``plot_ids``, as
    BrainPy 2.4.3 draws them: the first column when none is chosen, each line labelled
    ``legend`` alone or ``legend-<column>`` where there are several."""
    plt = _pyplot()
    values = np.asarray(val_matrix)
    values = values.reshape(len(values), -1)
    ax = ax or plt.gca()
    ids = [0] if plot_ids is None else [int(k) for k in np.atleast_1d(plot_ids)]
    for k in ids:
        label = (legend if len(ids) == 1 else f"{legend}-{k}") if legend else None
        ax.plot(ts, values[:, k], label=label, **kwargs)
    _finish(plt, ax, xlabel, ylabel, xlim, ylim, legend, title, show)


def _finish(plt, ax, xlabel, ylabel, xlim, ylim, legend, title, show) -> None:
    """The labels, limits, legend and title both plots take, then show if asked."""
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if xlim is not None:
        ax.set_xlim(xlim)
    if ylim is not None:
        ax.set_ylim(ylim)
    if legend:
        ax.legend()
    if title:
        ax.set_title(title)
    if show:
        plt.show()


def __getattr__(name: str):
    raise missing(f"brainpy.visualize.{name}", "bp.visualize offers raster_plot and "
                  "line_plot", where="brainpy.visualize")
