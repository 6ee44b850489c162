"""Initializers: shapes, scales from fan-in/fan-out, reproducibility, lookup."""
import numpy as np
import pytest

from course_lib import initializers as init
from course_lib._validation import CourseError

SHAPE = (400, 300)   # large enough that sample standard deviations are within ~1%


@pytest.mark.parametrize("fn, std", [
    (init.small_normal, 0.01),
    (init.large_normal, 1.0),
    (init.scaled_normal, np.sqrt(1 / 400)),
    (init.xavier, np.sqrt(2 / 700)),
    (init.he, np.sqrt(2 / 400)),
    (init.glorot_uniform, np.sqrt(6 / 700) / np.sqrt(3)),   # uniform on [-l, l] has std l/sqrt(3)
])
def test_scale(fn, std):
    W = fn(SHAPE, np.random.default_rng(0))
    assert W.shape == SHAPE
    assert abs(W.mean()) < 0.02 * std + 1e-12
    assert W.std() == pytest.approx(std, rel=0.02)


def test_glorot_uniform_stays_within_its_limit():
    W = init.glorot_uniform((10, 6), np.random.default_rng(1))
    limit = np.sqrt(6 / 16)
    assert np.all(np.abs(W) <= limit)
    assert np.abs(W).max() > 0.8 * limit


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
def test_same_seed_same_weights(name):
    fn = init.get_initializer(name)
    a = fn((5, 4), np.random.default_rng(7))
    b = fn((5, 4), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5, 4)


def test_bias_shapes_use_fan_in_one():
    b = init.he((6,), np.random.default_rng(0))
    assert b.shape == (6,)


def test_zeros_and_constant():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    c = init.constant(0.01)
    np.testing.assert_array_equal(c((3,)), np.full(3, 0.01))
    assert c.__name__ == "constant(0.01)"


def test_get_initializer_accepts_names_numbers_and_callables():
    assert init.get_initializer("He") is init.he
    assert init.get_initializer("glorot") is init.xavier
    np.testing.assert_array_equal(init.get_initializer(0.5)((2,), None), [0.5, 0.5])

    def mine(shape, rng):
        return np.ones(shape)

    assert init.get_initializer(mine) is mine


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(CourseError, match=r"Unknown initializer 'hee'\. Did you mean 'he'\?.*xavier"):
        init.get_initializer("hee")
