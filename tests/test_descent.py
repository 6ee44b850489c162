"""course_lib.descent: test surfaces, their gradients, and the recorded walks."""
import numpy as np
import pytest

from course_lib import SGD, Adam, CourseError, numerical_gradient
from course_lib.descent import (
    LineFit,
    QuadraticBowl,
    brute_force_evaluations,
    descend,
    double_well,
    double_well_critical_points,
    double_well_prime,
    is_stable,
    largest_stable_learning_rate,
    make_line_fit,
    minibatch_descent,
    ravine,
    rotated_bowl,
    two_valleys,
)


def numeric_gradient_of(surface, w):
    w = np.array(w, dtype=float)
    return numerical_gradient(lambda: float(surface(w)), w)


def test_double_well_has_a_global_and_a_local_minimum():
    x_global, x_max, x_local = double_well_critical_points()
    assert x_global == pytest.approx(-1.3008, abs=1e-4)
    assert x_local == pytest.approx(1.1309, abs=1e-4)
    assert np.allclose(double_well_prime([x_global, x_max, x_local]), 0, atol=1e-12)
    assert double_well(x_global) < double_well(x_local) < double_well(x_max)
    xs = np.linspace(-2, 2, 9)
    numeric = (double_well(xs + 1e-6) - double_well(xs - 1e-6)) / 2e-6
    assert np.allclose(double_well_prime(xs), numeric, atol=1e-6)


@pytest.mark.parametrize("surface", [QuadraticBowl([[6, 2], [2, 3]], center=[1, -1]), ravine(),
                                     two_valleys(), make_line_fit(200, rng=0)],
                         ids=lambda s: s.name)
def test_surface_gradients_match_finite_differences(surface):
    for w in ([0.3, -0.7], [1.5, 2.0], [-1.1, 0.4]):
        assert np.allclose(surface.gradient(np.array(w)), numeric_gradient_of(surface, w),
                           rtol=1e-7, atol=1e-8)


def test_surfaces_broadcast_over_a_grid():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    X, Y, Z = bowl.grid((-1, 1), (-2, 2), resolution=5)
    assert X.shape == Y.shape == Z.shape == (5, 5)
    assert Z[2, 2] == 0.0
    assert bowl(np.array([X[0, 0], Y[0, 0]])) == Z[0, 0]
    assert bowl.gradient(np.zeros((3, 4, 2))).shape == (3, 4, 2)


def test_bowl_eigenvalues_limit_and_regimes():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    assert np.allclose(bowl.eigenvalues, [2, 7])
    assert bowl.max_stable_learning_rate == pytest.approx(2 / 7)
    assert bowl.condition_number == pytest.approx(3.5)
    assert bowl.regime(0.005)[0] == "slow"
    assert bowl.regime(0.1)[0] == "smooth"
    assert bowl.regime(0.27)[0] == "oscillates"
    assert bowl.regime(0.3) == ("diverges", np.inf)
    assert np.allclose(bowl.contraction(0.1), [0.8, 0.3])


def test_bowl_rejects_bad_matrices():
    with pytest.raises(CourseError, match="symmetric"):
        QuadraticBowl([[1, 2], [0, 1]])
    with pytest.raises(CourseError, match="positive definite"):
        QuadraticBowl([[1, 0], [0, -1]])


def test_rotated_bowl_keeps_its_curvatures():
    bowl = rotated_bowl([0.5, 8.0], angle_degrees=35)
    assert np.allclose(bowl.eigenvalues, [0.5, 8.0])
    assert not np.allclose(bowl.A, np.diag(np.diag(bowl.A)))
    assert ravine().condition_number == pytest.approx(100)


def test_ravine_angle_turns_the_long_axis():
    aligned, turned = ravine(angle_degrees=0), ravine()
    assert np.allclose(aligned.A, np.diag([0.2, 20.0]))            # steep and flat = y and x
    assert np.allclose(turned.A, ravine(angle_degrees=20.0).A)     # the default is 20 degrees
    assert np.allclose(turned.eigenvalues, aligned.eigenvalues)
    t = np.deg2rad(20)
    long_axis = np.array([np.cos(t), np.sin(t)])
    assert np.allclose(turned.A @ long_axis, 0.2 * long_axis)      # the flat floor points at 20 degrees


def test_rotation_moves_plain_descent_and_momentum_paths_but_not_adams():
    # Plain descent and momentum are rotation-invariant: a turned start gives a turned path.
    # Adam scales each coordinate on its own, so turning the ravine changes its walk.
    t = np.deg2rad(20)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    start = np.array([-4.5, -0.5])
    for opt in (0.09, SGD(0.02, momentum=0.9)):
        turned = descend(ravine().gradient, start, opt, steps=50)
        aligned = descend(ravine(0).gradient, R.T @ start, opt, steps=50)
        assert np.allclose(turned @ R, aligned, atol=1e-10)
    turned = descend(ravine().gradient, start, Adam(0.2), steps=50)
    aligned = descend(ravine(0).gradient, R.T @ start, Adam(0.2), steps=50)
    assert not np.allclose(turned @ R, aligned, atol=1e-2)
    assert np.allclose(np.abs(np.diff(aligned[:2], axis=0)), 0.2, rtol=1e-4)   # eta per coordinate


def test_descend_is_sgd_on_a_parameter_array():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    w0 = np.array([-2.0, 2.0])
    path = descend(bowl.gradient, w0, 0.1, steps=3)
    assert path.shape == (4, 2)
    assert np.array_equal(path[0], w0)
    assert np.allclose(path[1], w0 - 0.1 * bowl.gradient(w0))
    assert np.array_equal(w0, [-2.0, 2.0])          # the start is not modified
    same = descend(bowl.gradient, w0, SGD(0.1), steps=3)
    assert np.array_equal(path, same)


def test_descend_in_one_dimension_finds_the_valley_it_starts_in():
    x_global, _, x_local = double_well_critical_points()
    assert descend(double_well_prime, np.array(2.0), 0.02, 200)[-1] == pytest.approx(x_local)
    assert descend(double_well_prime, np.array(0.0), 0.02, 200)[-1] == pytest.approx(x_global)


def test_descend_stops_when_it_diverges_and_resets_optimizer_state():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    path = descend(bowl.gradient, [-2, 2], 0.5, steps=500)
    assert len(path) < 501 and np.max(np.abs(path[-1])) > 1e6
    adam = Adam(0.1)
    first = descend(bowl.gradient, [-2, 2], adam, steps=20)
    again = descend(bowl.gradient, [-2, 2], adam, steps=20)
    assert np.array_equal(first, again)


def test_momentum_beats_plain_descent_in_the_ravine():
    surface = ravine()
    w0 = [-4.5, -0.5]
    plain = surface(descend(surface.gradient, w0, 0.09, 100)[-1])
    momentum = surface(descend(surface.gradient, w0, SGD(0.02, momentum=0.9), 100)[-1])
    assert momentum < plain / 10


def test_largest_stable_learning_rate_matches_two_over_lambda_max():
    bowl = QuadraticBowl([[6, 2], [2, 3]])
    assert is_stable(bowl, [-2, 2], 0.28) and not is_stable(bowl, [-2, 2], 0.29)
    found = largest_stable_learning_rate(bowl, [-2, 2], 0.01, 1.0)
    assert found == pytest.approx(2 / 7, rel=2e-3)
    with pytest.raises(CourseError, match="Bisection"):
        largest_stable_learning_rate(bowl, [-2, 2], 0.3, 1.0)


def test_line_fit_minimum_is_least_squares():
    problem = make_line_fit(500, slope=2.0, intercept=-1.0, noise=0.1, rng=3)
    X = np.column_stack([problem.x, np.ones(problem.n)])
    best = np.linalg.lstsq(X, problem.y, rcond=None)[0]
    assert np.allclose(problem.minimum, best)
    assert np.allclose(problem.gradient(best), 0, atol=1e-10)
    direct = 0.5 * np.mean((problem.x * 1.5 + 0.5 - problem.y) ** 2)
    assert problem(np.array([1.5, 0.5])) == pytest.approx(direct)
    everything = np.arange(problem.n)
    assert np.allclose(problem.batch_gradient(np.array([1.5, 0.5]), everything),
                       problem.gradient(np.array([1.5, 0.5])))
    with pytest.raises(CourseError):
        LineFit(np.zeros(3), np.zeros(4))


@pytest.mark.parametrize("batch_size, n_steps", [(1, 200), (7, 29), (50, 4), (200, 1)])
def test_minibatch_descent_counts_steps_and_epochs(batch_size, n_steps):
    problem = make_line_fit(200, rng=0)
    run = minibatch_descent(problem, [0.0, 0.0], 0.1, batch_size, epochs=1, rng=1)
    assert len(run.path) == n_steps + 1
    assert run.epochs[-1] == pytest.approx(1.0)
    assert np.all(np.diff(run.seconds) >= 0)
    assert np.allclose(run.loss, problem(run.path))
    again = minibatch_descent(problem, [0.0, 0.0], 0.1, batch_size, epochs=1, rng=1)
    assert np.array_equal(run.path, again.path)


def test_full_batch_descent_equals_plain_descent_and_minibatches_are_noisy():
    problem = make_line_fit(300, rng=0)
    batch = minibatch_descent(problem, [-2, 3], 0.3, problem.n, epochs=20)
    plain = descend(problem.gradient, [-2, 3], 0.3, 20)
    assert np.allclose(batch.path, plain)
    sgd = minibatch_descent(problem, [-2, 3], 0.3, 1, epochs=0.5, rng=0)
    assert sgd.epochs[-1] == pytest.approx(0.5)
    assert np.std(np.diff(sgd.loss[-50:])) > np.std(np.diff(batch.loss[-5:]))
    with pytest.raises(CourseError, match="larger than"):
        minibatch_descent(problem, [0, 0], 0.1, 301)


def test_brute_force_count_is_exact():
    assert brute_force_evaluations(25, 1000) == 10 ** 75
    assert brute_force_evaluations(0, 7) == 1


def test_momentum_matches_pytorchs_form_for_a_fixed_learning_rate():
    # Lesson 04 says: course_lib's v <- mu v - eta g, w <- w + v walks the same path as PyTorch's
    # v <- mu v + g, w <- w - eta v when eta is fixed (our v is -eta times theirs).
    valley, mu, eta = ravine(), 0.9, 0.02
    ours = descend(valley.gradient, [-4.5, -0.5], SGD(eta, momentum=mu), steps=60)
    w, v, theirs = np.array([-4.5, -0.5]), np.zeros(2), [np.array([-4.5, -0.5])]
    for _ in range(60):
        v = mu * v + valley.gradient(w)
        w = w - eta * v
        theirs.append(w)
    assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-12)
