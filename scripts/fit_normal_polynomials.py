"""How the polynomials of pyspike's normals were fitted (csrc/pyspike/philox.h,
ps_log_unit and ps_cos_sin_turn; pyspike/random.py has the same coefficients).

    python scripts/fit_normal_polynomials.py

Weighted least squares on Chebyshev nodes, reweighted by Lawson's rule towards the
minimax fit of the relative error, in float64; the coefficients are then rounded to
float32. It prints them and the relative error of the fit before rounding. The tests
(tests/pyspike/test_normals.py) check the rounded polynomials as evaluated in float32.
"""
import math

import numpy as np


def near_minimax(fun, lo: float, hi: float, degree: int, weight, iterations: int = 60):
    """Coefficients (lowest degree first) of a polynomial close to the minimax fit of
    ``fun`` on [lo, hi] for the error weighted by ``weight``, and that weighted error."""
    t = np.cos(np.pi * (np.arange(20000) + 0.5) / 20000)
    x = (lo + hi) / 2 + (hi - lo) / 2 * t
    y, w = fun(x), weight(x)
    vander = np.vander(x, degree + 1, increasing=True)
    lawson = np.ones_like(x)
    for _ in range(iterations):
        scale = w * np.sqrt(lawson)
        c = np.linalg.lstsq(vander * scale[:, None], y * scale, rcond=None)[0]
        err = np.abs((vander @ c - y) * w)
        lawson = lawson * err
        lawson /= lawson.sum()
    return c, err.max()


def main() -> None:
    # log(1 + f) = f - f^2/2 + f^3 P(f) on f in [sqrt(1/2) - 1, sqrt(2) - 1]
    def p_of_f(f):
        small = np.abs(f) < 1e-3
        safe = np.where(small, 1.0, f)
        exact = (np.log1p(safe) - safe + safe * safe / 2) / safe ** 3
        return np.where(small, 1 / 3 - f / 4 + f * f / 5, exact)

    fits = {
        "log P(f), degree 6": near_minimax(
            p_of_f, math.sqrt(0.5) - 1, math.sqrt(2) - 1, 6,
            lambda f: np.abs(f) ** 3 / np.abs(np.log1p(f))),
        # sin(2 pi r) = r S(r^2) and cos(2 pi r) = C(r^2), r^2 in [0, 1/64]
        "sin S(r^2), degree 3": near_minimax(
            lambda s: np.sin(2 * np.pi * np.sqrt(s)) / np.sqrt(s), 1e-12, 1 / 64, 3,
            lambda s: np.full_like(s, 1 / (2 * np.pi))),
        "cos C(r^2), degree 4": near_minimax(
            lambda s: np.cos(2 * np.pi * np.sqrt(s)), 0.0, 1 / 64, 4,
            lambda s: 1 / np.cos(2 * np.pi * np.sqrt(s))),
    }
    for name, (coefficients, error) in fits.items():
        rounded = ", ".join(str(np.float32(c)) for c in coefficients[::-1])
        print(f"{name}: relative error {error:.2g}; highest degree first: {rounded}")


if __name__ == "__main__":
    main()
