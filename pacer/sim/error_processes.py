"""Slowly varying random errors for the simulated receiver: Gauss-Markov processes and
a first-order low-pass, all per epoch of ``dt_s`` seconds.

Notes
-----
A stationary first-order Gauss-Markov process ``x[k] = a x[k-1] + w[k]`` with
``a = exp(-dt_s / tau_s)`` and ``w ~ N(0, sigma^2 (1 - a^2))`` has rms ``sigma`` and
correlation time ``tau_s`` (Kaplan & Hegarty, "Understanding GPS", 2nd ed., ch. 7).
"""

from __future__ import annotations

import numpy as np

__all__ = ["first_order_lag", "gauss_markov", "smooth_gauss_markov"]


def gauss_markov(rng: np.random.Generator, n: int, dims: int, sigma: float, tau_s: float,
                 dt_s: float) -> np.ndarray:
    """Stationary first-order Gauss-Markov samples, shape (n, dims)."""
    a = np.exp(-dt_s / tau_s)
    w = rng.standard_normal((n, dims)) * sigma * np.sqrt(1.0 - a * a)
    out = np.empty((n, dims))
    x = rng.standard_normal(dims) * sigma
    for k in range(n):  # epoch rate (1-10 Hz): a few thousand iterations per session
        x = a * x + w[k]
        out[k] = x
    return out


def smooth_gauss_markov(rng: np.random.Generator, n: int, dims: int, sigma: float,
                        tau_s: float, smooth_s: float, dt_s: float) -> np.ndarray:
    """Gauss-Markov error (``tau_s``) seen through a first-order smoother (``smooth_s``).

    Second order: smooth over seconds, wandering over ``tau_s``; rms ``sigma``.
    """
    scale = np.sqrt((tau_s + smooth_s) / tau_s)  # variance lost in the smoother
    x = gauss_markov(rng, n, dims, sigma * scale, tau_s, dt_s)
    return first_order_lag(x, smooth_s, dt_s, x[0] / scale)


def first_order_lag(x: np.ndarray, tau_s: float, dt_s: float,
                    y0: np.ndarray | None = None) -> np.ndarray:
    """First-order low-pass (time constant ``tau_s``) of the series ``x``, from ``y0``."""
    a = np.exp(-dt_s / tau_s)
    out = np.empty_like(x)
    y = x[0] if y0 is None else y0
    for k in range(x.shape[0]):
        y = a * y + (1.0 - a) * x[k]
        out[k] = y
    return out
