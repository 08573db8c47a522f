"""Raking and category fitting: weights and probabilities that meet their targets."""

from __future__ import annotations

import numpy as np
import pytest

from sandbox.errors import CalibrationError
from sandbox.world.raking import draw_categories, fit_multipliers, rake, share_constraint


def test_rake_meets_person_level_share_targets():
    rng = np.random.default_rng(3)
    size = rng.integers(1, 6, 5000)
    kids = rng.binomial(size - 1, 0.4)
    old = rng.binomial(size - kids, 0.2)
    z = np.column_stack([share_constraint(kids, size, 0.30), share_constraint(old, size, 0.15)])
    w = rake(z)
    assert w.sum() == pytest.approx(1.0)
    assert (w @ kids) / (w @ size) == pytest.approx(0.30, abs=1e-8)
    assert (w @ old) / (w @ size) == pytest.approx(0.15, abs=1e-8)
    # Before raking the shares were clearly different: the test is not vacuous.
    assert abs(kids.sum() / size.sum() - 0.30) > 0.02


def test_rake_refuses_unreachable_targets():
    size = np.ones(100)
    kids = np.zeros(100)
    with pytest.raises(CalibrationError, match="raking did not reach"):
        rake(share_constraint(kids, size, 0.5)[:, None])


def test_fit_multipliers_meets_category_counts_and_lets_free_ones_absorb():
    rng = np.random.default_rng(5)
    prop = rng.uniform(0.1, 1.0, (30000, 3))
    probs = fit_multipliers(prop, np.array([6000.0, 15000.0, np.nan]))
    assert probs.sum(axis=1) == pytest.approx(np.ones(30000))
    expected = probs.sum(axis=0)
    assert expected[0] == pytest.approx(6000, rel=1e-3)
    assert expected[1] == pytest.approx(15000, rel=1e-3)
    drawn = np.bincount(draw_categories(rng, probs), minlength=3)
    assert drawn[0] == pytest.approx(6000, rel=0.05)


def test_fit_multipliers_refuses_targets_above_the_population():
    with pytest.raises(CalibrationError, match="cannot be met"):
        fit_multipliers(np.ones((10, 2)), np.array([11.0, np.nan]))
