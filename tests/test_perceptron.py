"""The perceptron and LMS rules of course_lib.perceptron."""
import numpy as np
import pytest

from course_lib import CourseError, make_linearly_separable, make_xor
from course_lib.gradcheck import numerical_gradient, rel_error
from course_lib.perceptron import (
    adaline_cost,
    lms_update,
    perceptron_criterion,
    perceptron_update,
    predict,
    train_adaline,
    train_perceptron,
)


@pytest.fixture
def separable():
    X, y = make_linearly_separable(100, 0.3, rng=np.random.default_rng(0))
    return X + np.array([1.0, 0.5]), y


def test_predict_counts_zero_as_class_one():
    X = np.array([[1.0, -1.0], [2.0, 0.0], [-1.0, 0.0]])
    assert predict(X, np.array([1.0, 1.0]), 0.0).tolist() == [1, 1, 0]


def test_perceptron_update_moves_only_on_mistakes():
    X = np.array([[1.0, 2.0], [-1.0, -1.0]])
    w, b = np.array([1.0, 0.0]), 0.0
    w_same, b_same = perceptron_update(X, np.array([1, 0]), w, b)       # both right
    assert np.array_equal(w_same, w) and b_same == b
    w_new, b_new = perceptron_update(X, np.array([0, 0]), w, b, learning_rate=0.5)
    assert np.allclose(w_new, w - 0.5 * X[0]) and b_new == -0.5        # a false positive
    assert np.array_equal(w, [1.0, 0.0])                                # the input is untouched


def test_perceptron_converges_on_separable_data(separable):
    X, y = separable
    run = train_perceptron(X, y, epochs=40)
    assert run.w.shape == (41, 2) and run.b.shape == (41,) and run.mistakes.shape == (41,)
    assert np.all(run.w[0] == 0) and run.b[0] == 0
    assert run.converged_epoch is not None and run.mistakes[-1] == 0
    assert np.array_equal(run.predict(X), y)
    assert run.cost[run.converged_epoch] == 0        # no mistake, no perceptron criterion
    # Once nothing is misclassified, nothing moves.
    assert np.all(run.w[run.converged_epoch:] == run.w[-1])


def test_learning_rate_does_not_matter_from_zero(separable):
    X, y = separable
    a, b = train_perceptron(X, y, 15, 1.0), train_perceptron(X, y, 15, 0.01)
    assert np.array_equal(a.mistakes, b.mistakes)
    assert np.allclose(a.w * 0.01, b.w)


def test_perceptron_cycles_on_xor():
    X, y = make_xor()
    run = train_perceptron(X, y, epochs=30)
    assert run.converged_epoch is None and run.mistakes.min() >= 1
    assert np.array_equal(run.w[0], run.w[2]) and run.b[0] == run.b[2]   # back where it started


def test_lms_is_gradient_descent_on_adaline_cost():
    rng = np.random.default_rng(3)
    X, y, w, b = rng.normal(size=(8, 3)), rng.integers(0, 2, 8), rng.normal(size=3), 0.4
    params = np.append(w, b)
    numeric = numerical_gradient(lambda: adaline_cost(X, y, params[:-1], params[-1]), params)
    w_new, b_new = lms_update(X, y, w, b, learning_rate=1e-3)
    assert rel_error(-(np.append(w_new, b_new) - params) / 1e-3, numeric) < 1e-7


def test_adaline_reaches_least_squares_solution(separable):
    X, y = separable
    run = train_adaline(X, y, epochs=600, learning_rate=0.5)
    A = np.column_stack([X, np.ones(len(X))])
    coef = np.linalg.lstsq(A, 2.0 * y - 1, rcond=None)[0]
    assert np.allclose(run.w[-1], coef[:2], atol=1e-6) and np.isclose(run.b[-1], coef[2], atol=1e-6)
    assert np.all(np.diff(run.cost) <= 1e-12)        # a stable rate never raises the cost
    assert run.mistakes[-1] == 0


def test_criterion_is_zero_only_without_mistakes():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert perceptron_criterion(X, np.array([1, 0]), np.array([1.0, 0.0]), 0.0) == 0
    assert perceptron_criterion(X, np.array([0, 1]), np.array([1.0, 0.0]), 0.0) == pytest.approx(1.0)


def test_validation_and_epoch_bounds(separable):
    X, y = separable
    with pytest.raises(CourseError, match="shape"):
        train_perceptron(X, y, w=np.zeros(3))
    with pytest.raises(CourseError):
        train_perceptron(X, y + 1)                       # labels must be 0 or 1
    with pytest.raises(CourseError):
        train_adaline(X, y, epochs=0)
    run = train_perceptron(X, y, epochs=5)
    assert run.weights(0)[1] == 0.0
    with pytest.raises(CourseError, match="0..5"):
        run.weights(6)
    assert "perceptron" in repr(run)
