"""Calibration weights by exponential tilting (raking), for household-level share targets.

Candidate households are generated with a plausible structure; raking then finds the weights,
as close as possible to uniform, under which person- and household-level shares equal the CBS
figures. This is the calibration estimator of Deville and Särndal (1992) with the raking
distance, solved as the dual of a maximum-entropy problem.
"""

from __future__ import annotations

import numpy as np

from sandbox.errors import CalibrationError

__all__ = ["share_constraint", "rake", "fit_multipliers", "draw_categories"]


def share_constraint(counts: np.ndarray, base: np.ndarray, target: float) -> np.ndarray:
    """Return the per-household deviation whose weighted sum is zero when the share is on target.

    Args:
        counts: per household, how many units fall in the category (persons aged 0-19, ...).
        base: per household, how many units the share is taken over (household size, ...).
        target: the wanted share of ``counts`` in ``base``.

    Returns:
        ``counts - target * base`` as float.
    """
    return counts.astype(float) - target * base.astype(float)


def rake(constraints: np.ndarray, *, max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """Find weights ``w ∝ exp(Z λ)`` with ``Σ w z = 0`` for every constraint column of ``Z``.

    Args:
        constraints: an (households × k) matrix of deviations from :func:`share_constraint`.
        max_iter: Newton iterations before giving up.
        tol: largest remaining weighted mean deviation accepted.

    Returns:
        Weights that sum to one.

    Raises:
        CalibrationError: when the targets cannot be reached with these candidates.
    """
    z = np.asarray(constraints, dtype=float)
    scale = np.abs(z).max(axis=0)
    scale[scale == 0] = 1.0
    z = z / scale
    lam = np.zeros(z.shape[1])

    def objective(lam_: np.ndarray) -> tuple[float, np.ndarray]:
        eta = z @ lam_
        top = eta.max()
        e = np.exp(eta - top)
        return top + np.log(e.sum()), e / e.sum()

    value, w = objective(lam)
    for _ in range(max_iter):
        grad = z.T @ w
        if np.abs(grad).max() < tol:
            return w
        hess = (z * w[:, None]).T @ z - np.outer(grad, grad)
        step = np.linalg.solve(hess + 1e-12 * np.eye(len(lam)), grad)
        t = 1.0
        while True:  # backtracking line search on the convex dual
            new_value, new_w = objective(lam - t * step)
            if new_value <= value - 1e-4 * t * grad @ step or t < 1e-8:
                break
            t /= 2
        lam, value, w = lam - t * step, new_value, new_w
    grad = z.T @ w
    if np.abs(grad).max() > 1e-6:
        raise CalibrationError(
            "raking did not reach the CBS targets (largest deviation "
            f"{np.abs(grad * scale).max():.4f}); the candidate households cannot match them"
        )
    return w


def fit_multipliers(
    propensity: np.ndarray, targets: np.ndarray, *, iterations: int = 200
) -> np.ndarray:
    """Scale category propensities so that expected category counts meet their targets.

    Each unit falls in category ``j`` with probability ``m_j p_ij / Σ_k m_k p_ik``. The
    multipliers ``m`` are fitted by iterative proportional fitting; categories whose target is
    ``nan`` keep multiplier one and absorb the rest.

    Args:
        propensity: an (units × categories) matrix of non-negative relative propensities.
        targets: expected count wanted per category, ``nan`` where free.
        iterations: fitting rounds.

    Returns:
        The (units × categories) probability matrix after scaling; rows sum to one.

    Raises:
        CalibrationError: when the targets add up to more units than there are.
    """
    m = np.ones(propensity.shape[1])
    fixed = ~np.isnan(targets)
    if targets[fixed].sum() > len(propensity) or (targets[fixed] < 0).any():
        raise CalibrationError(
            f"category targets {np.round(targets, 1).tolist()} cannot be met by "
            f"{len(propensity)} units; check the calibration figures"
        )
    # Fit on an evenly spaced subsample: the multipliers depend on the mix, not on every row.
    step = max(1, len(propensity) // 20000)
    sub = propensity[::step]
    sub_targets = targets * len(sub) / len(propensity)
    for _ in range(iterations):
        p = sub * m
        p /= p.sum(axis=1, keepdims=True)
        ratio = sub_targets[fixed] / np.maximum(p.sum(axis=0)[fixed], 1e-12)
        m[fixed] *= ratio
        if np.abs(ratio - 1).max() < 1e-7:
            break
    p = propensity * m
    return p / p.sum(axis=1, keepdims=True)


def draw_categories(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Draw one category per row of a probability matrix, vectorised."""
    cum = np.cumsum(probs, axis=1)
    u = rng.random(len(probs))[:, None] * cum[:, -1:]
    return (u > cum).sum(axis=1)
