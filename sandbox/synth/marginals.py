"""Empirical marginals for the Gaussian copula, as an SDV programmable constraint.

SDV's GaussianCopula fits a parametric distribution (beta by default) to every numerical
column. Incomes with spikes (no income, a bijstand norm, a full AOW) and counts such as
children per family fit no such family, and the beta quantile function is slow. This
transform maps every numerical column to normal scores through its empirical quantiles (a
grid of at most 257 points, each backed by several rows), so the copula with a normal
marginal learns only the dependence, and sampled scores map back through the same quantiles:
spikes come back as spikes, values stay within the source's range.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri
from sdv.cag import SingleTableProgrammableConstraint

__all__ = ["QuantileMarginals"]

_MAX_POINTS = 257
_ROWS_PER_POINT = 5  # a quantile point summarises at least this many source rows


def _decimals(values: np.ndarray) -> int | None:
    """The fewest decimals (0-2) that represent every value exactly, or None."""
    for d in range(3):
        scaled = values * 10**d
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return d
    return None


class QuantileMarginals(SingleTableProgrammableConstraint):
    """Map numerical columns to normal scores by empirical quantiles, and back.

    Args:
        seed: seed for breaking ties at random when ranking the source.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.grids: dict[str, tuple[np.ndarray, np.ndarray, int | None]] = {}

    def fit(self, data: pd.DataFrame, metadata) -> None:
        """Learn the quantile grid of every numerical column without missing values."""
        self.grids = {}
        for col in data.columns:
            values = data[col]
            if not pd.api.types.is_float_dtype(values) and not pd.api.types.is_integer_dtype(
                values
            ):
                continue
            if values.isna().any() or values.nunique() < 2:
                continue
            x = values.to_numpy(float)
            points = int(np.clip(len(x) // _ROWS_PER_POINT, 3, _MAX_POINTS))
            probs = np.linspace(0.0, 1.0, points)
            self.grids[col] = (probs, np.quantile(x, probs), _decimals(x))

    def transform(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace each fitted column by normal scores of its ranks (ties broken at random)."""
        out = data.copy()
        rng = np.random.default_rng(self.seed)
        n = len(out)
        for col in self.grids:
            x = out[col].to_numpy(float)
            jitter = rng.random(n)
            order = np.lexsort((jitter, x))
            ranks = np.empty(n)
            ranks[order] = np.arange(n)
            out[col] = ndtri((ranks + 0.5) / n)
        return out

    def reverse_transform(self, transformed_data: pd.DataFrame) -> pd.DataFrame:
        """Map normal scores back through the quantile grids, rounded as the source was."""
        out = transformed_data.copy()
        for col, (probs, quantiles, decimals) in self.grids.items():
            u = ndtr(out[col].to_numpy(float))
            x = np.interp(u, probs, quantiles)
            out[col] = np.round(x, decimals) if decimals is not None else x
        return out

    def get_updated_metadata(self, metadata):
        """Columns keep their names and sdtypes."""
        return metadata

    def is_valid(self, synthetic_data: pd.DataFrame) -> pd.Series:
        """Every row is valid: this constraint only reshapes marginals."""
        return pd.Series(True, index=synthetic_data.index)
