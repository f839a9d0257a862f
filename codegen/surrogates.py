"""Surrogate gradients of the spike, as data: the derivative that stands in for the
Heaviside step's in the backward pass, as a sympy expression of the distance to the
threshold ``u`` and a shape parameter ``alpha``.

Each entry names where it comes from and its default alpha there, so that a user of
SPAIC, SpikingJelly or snnTorch gets the gradient they know.  ``smooth`` is the function
whose derivative the surrogate is, where there is one: a layer built with ``smooth=True``
emits it instead of the step (a differentiable model, for checks by finite differences).

>>> s = SURROGATES["atan"]
>>> s.alpha, s.derivative.subs({U: 0, ALPHA: 2})
(2.0, 1)
>>> sorted(SURROGATES)[:4]
['atan', 'fast_sigmoid', 'gate', 'gaussian']
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

import sympy as sp

from .errors import ModelError

#: the distance to the threshold (a spike where u > 0) and the shape parameter
U = sp.Symbol("_u", real=True)
ALPHA = sp.Symbol("_alpha", positive=True)


@dataclass(frozen=True)
class Surrogate:
    """``derivative`` (of U and ALPHA) replaces dH/du; ``alpha`` is its default."""
    name: str
    derivative: sp.Expr
    alpha: float
    source: str
    smooth: Optional[sp.Expr] = None


def _inside(width: sp.Expr, value: sp.Expr) -> sp.Expr:
    return sp.Piecewise((value, sp.Abs(U) < width), (sp.Integer(0), True))


_PI = sp.pi
_SIG = 1 / (1 + sp.exp(-ALPHA * U))

SURROGATES: Dict[str, Surrogate] = {s.name: s for s in (
    Surrogate("rectangle", _inside(ALPHA, sp.Integer(1)), 0.5,
              "SPAIC's STCA (STCA_Learner.py): 1 where |u| < alpha, alpha = 0.5"),
    Surrogate("gaussian", sp.exp(-U**2 / (2 * ALPHA)) / (2 * _PI * ALPHA), 0.5,
              "SPAIC's STBP (STBP_Learner.py): exp(-u^2/(2 alpha))/(2 pi alpha), alpha = "
              "0.5 (normalised by 2 pi alpha, as SPAIC does, not sqrt(2 pi alpha))"),
    Surrogate("atan", ALPHA / 2 / (1 + (_PI / 2 * ALPHA * U)**2), 2.0,
              "SpikingJelly's ATan and SPAIC's AtanGrad (SurrogateBP's default): alpha/2 /"
              " (1 + (pi/2 alpha u)^2), alpha = 2",
              sp.atan(_PI / 2 * ALPHA * U) / _PI + sp.Rational(1, 2)),
    Surrogate("sigmoid", ALPHA * _SIG * (1 - _SIG), 4.0,
              "SpikingJelly's Sigmoid (alpha = 4; SPAIC's SigmoidGrad has alpha = 1): "
              "alpha sg(alpha u)(1 - sg(alpha u))", _SIG),
    Surrogate("gate", _inside(1 / ALPHA, sp.Integer(1)), 2.0,
              "SPAIC's gate: 1 where |u| < 1/alpha, alpha = 2"),
    Surrogate("qgate", _inside(1 / ALPHA, ALPHA - ALPHA**2 * sp.Abs(U)), 2.0,
              "SPAIC's QGateGrad (quadratic gate): alpha - alpha^2 |u| where |u| < 1/alpha"),
    Surrogate("relu", sp.Piecewise((ALPHA, U > 0), (sp.Integer(0), True)), 2.0,
              "SPAIC's ReLUGrad: alpha where u > 0 (for ANN-like tests)"),
    Surrogate("straight_through", sp.Integer(1), 1.0,
              "the straight-through estimator (Bengio et al. 2013; SPAIC's STE): 1"),
    Surrogate("fast_sigmoid", 1 / (1 + ALPHA * sp.Abs(U))**2, 25.0,
              "snnTorch's fast_sigmoid (its default, slope = 25): 1/(1 + slope |u|)^2"),
    Surrogate("triangle", _inside(ALPHA, (1 - sp.Abs(U) / ALPHA) / ALPHA), 1.0,
              "a triangle of half-width alpha and area 1 (snnTorch's triangular, "
              "SpikingJelly's PiecewiseLeakyReLU without the leak)"),
)}


def surrogate(name: str) -> Surrogate:
    """The surrogate called ``name``, or a ModelError listing the choices."""
    key = name.lower() if isinstance(name, str) else name
    aliases = {"stca": "rectangle", "stbp": "gaussian", "ste": "straight_through"}
    key = aliases.get(key, key)
    if key not in SURROGATES:
        raise ModelError(f"there is no surrogate gradient {name!r}: choose one of "
                         + ", ".join(sorted(SURROGATES)), where="surrogate", symbol=str(name))
    return SURROGATES[key]
