"""Lesson 05's exercise checks: a correct answer passes, a realistic mistake fails with its hint,
(the student edition's stub is tested for every exercise in test_checks_all.py)."""
import math

import numpy as np
import pytest

from course_lib import sigmoid
from course_lib.checks import check


def neuron_grads(x, w, b, y):
    a = sigmoid(w * x + b)
    dz = (a - y) * a * (1 - a)
    return dz * x, dz


def neuron_grads_no_prime(x, w, b, y):
    a = sigmoid(w * x + b)
    return (a - y) * x, a - y


def neuron_grads_sign(x, w, b, y):
    dw, db = neuron_grads(x, w, b, y)
    return -dw, -db


def neuron_grads_no_x(x, w, b, y):
    _, db = neuron_grads(x, w, b, y)
    return db, db


def dense_backward(x, W, delta):
    return delta @ W.T, x.T @ delta, delta.sum(axis=0)


def dense_backward_transposed(x, W, delta):
    return delta @ W.T, delta.T @ x, delta.sum(axis=0)


def dense_backward_mean_bias(x, W, delta):
    return delta @ W.T, x.T @ delta, delta.mean(axis=0)


def dense_backward_unsummed_bias(x, W, delta):
    return delta @ W.T, x.T @ delta, delta


def dense_backward_wrong_dx(x, W, delta):
    return (delta @ W.T) * 2, x.T @ delta, delta.sum(axis=0)


def centred(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def one_sided(f, x, h=1e-5):
    grad = np.zeros_like(x)
    base = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - base) / h
        x[i] = old
    return grad


def not_restored(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        grad[i] = (up - down) / (2 * h)
    return grad


def all_at_once(f, x, h=1e-5):
    return np.array((f(x + h) - f(x - h)) / (2 * h))


def divided_by_h(f, x, h=1e-5):
    return 2 * centred(f, x, h)


def forward(x, W1, b1, W2, b2):
    h = sigmoid(x @ W1 + b1)
    return h, sigmoid(h @ W2[:, 0] + b2[0])


def grad_b1_0(x, W1, b1, W2, b2, y):
    h, y0 = forward(x, W1, b1, W2, b2)
    return 2 * (y0 - y) * y0 * (1 - y0) * W2[0, 0] * h[0] * (1 - h[0])


def grad_b1_0_no_hidden_prime(x, W1, b1, W2, b2, y):
    h, y0 = forward(x, W1, b1, W2, b2)
    return 2 * (y0 - y) * y0 * (1 - y0) * W2[0, 0]


def grad_b1_0_times_x(x, W1, b1, W2, b2, y):
    return grad_b1_0(x, W1, b1, W2, b2, y) * x[0]


def make_value(assign=False, order="topo", seed=True, tanh="1 - t**2", exp="out", chain=True,
               radd=True, rmul=True, wrap=True):
    """A Value class as a learner might write it for 05.5; each argument plants one mistake."""
    def acc(node, amount):
        node.grad = amount if assign else node.grad + amount

    def up(out):
        return out.grad if chain else 1.0

    class Value:
        def __init__(self, data, children=()):
            self.data, self.grad = float(data), 0.0
            self._children, self._backward = tuple(children), lambda: None

        def _wrap(self, other):
            return other if isinstance(other, Value) or not wrap else Value(other)

        def __add__(self, other):
            other = self._wrap(other)
            out = Value(self.data + other.data, (self, other))

            def _backward():
                acc(self, up(out))
                acc(other, up(out))
            out._backward = _backward
            return out

        def __mul__(self, other):
            other = self._wrap(other)
            out = Value(self.data * other.data, (self, other))

            def _backward():
                acc(self, other.data * up(out))
                acc(other, self.data * up(out))
            out._backward = _backward
            return out

        def tanh(self):
            out = Value(math.tanh(self.data), (self,))
            local = {"1 - t**2": lambda: 1 - out.data ** 2, "1 - t": lambda: 1 - out.data,
                     "1 - x**2": lambda: 1 - self.data ** 2}[tanh]

            def _backward():
                acc(self, local() * up(out))
            out._backward = _backward
            return out

        def exp(self):
            out = Value(math.exp(self.data), (self,))
            local = {"out": lambda: out.data, "x": lambda: self.data, "1": lambda: 1.0}[exp]

            def _backward():
                acc(self, local() * up(out))
            out._backward = _backward
            return out

        def backward(self):
            if seed:
                self.grad = 1.0
            if order == "recursive":          # each node, then its children: no topological order
                def walk(node):
                    node._backward()
                    for child in node._children:
                        walk(child)
                walk(self)
                return
            if order == "breadth":            # breadth first from the output, each node once
                queue, seen = [self], set()
                while queue:
                    node = queue.pop(0)
                    if id(node) in seen:
                        continue
                    seen.add(id(node))
                    node._backward()
                    queue.extend(node._children)
                return
            topo, seen = [], set()

            def visit(node):
                if id(node) not in seen:
                    seen.add(id(node))
                    for child in node._children:
                        visit(child)
                    topo.append(node)
            visit(self)
            for node in (topo if order == "forward" else reversed(topo)):
                node._backward()

    if radd:
        Value.__radd__ = Value.__add__
    if rmul:
        Value.__rmul__ = Value.__mul__
    return Value


class NotAClass:
    def __call__(self, data):
        return data


def grad_b1_0_sign(x, W1, b1, W2, b2, y):
    return -grad_b1_0(x, W1, b1, W2, b2, y)


def grad_b1_0_no_output_prime(x, W1, b1, W2, b2, y):
    h, y0 = forward(x, W1, b1, W2, b2)
    return 2 * (y0 - y) * W2[0, 0] * h[0] * (1 - h[0])


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: fill me in")


CORRECT = {"05.1": neuron_grads, "05.2": dense_backward, "05.3": centred, "05.4": grad_b1_0,
           "05.5": make_value()}

WRONG = [
    ("05.1", neuron_grads_no_prime, "sigma'(z) is missing"),
    ("05.1", neuron_grads_sign, "wrong sign"),
    ("05.1", neuron_grads_no_x, "dz/dw = x"),
    ("05.2", dense_backward_transposed, "must have W's shape"),
    ("05.2", dense_backward_mean_bias, "Sum them instead"),
    ("05.2", dense_backward_unsummed_bias, "np.sum(delta, axis=0)"),
    ("05.2", dense_backward_wrong_dx, "delta @ W.T"),
    ("05.3", one_sided, "one-sided"),
    ("05.3", not_restored, "changed x"),
    ("05.3", all_at_once, "Perturb one entry at a time"),
    ("05.3", divided_by_h, "divide by 2h"),
    ("05.4", grad_b1_0_no_hidden_prime, "f'(u0)"),
    ("05.4", grad_b1_0_times_x, "du0/db1_0 = 1"),
    ("05.4", grad_b1_0_sign, "sign is flipped"),
    ("05.4", grad_b1_0_no_output_prime, "g'(u2)"),
    ("05.5", make_value(assign=True), "self.grad += ..."),
    ("05.5", make_value(order="forward"), "reverse topological order"),
    ("05.5", make_value(order="recursive"), "reverse topological order"),
    ("05.5", make_value(order="breadth"), "reverse topological order"),
    ("05.5", make_value(seed=False), "self.grad = 1.0"),
    ("05.5", make_value(tanh="1 - t"), "1 - tanh(x)**2"),
    ("05.5", make_value(tanh="1 - x**2"), "squared the input"),
    ("05.5", make_value(exp="x"), "x itself"),
    ("05.5", make_value(exp="1"), "d exp(x)/dx = exp(x)"),
    ("05.5", make_value(chain=False), "out.grad"),
    ("05.5", make_value(rmul=False), "__rmul__"),
    ("05.5", make_value(radd=False), "__radd__"),
    ("05.5", make_value(wrap=False), "wrap a plain number"),
]


@pytest.mark.parametrize("exercise_id", sorted(CORRECT))
def test_correct_answer_passes(exercise_id):
    result = check(exercise_id, CORRECT[exercise_id])
    assert result.passed, result.message


@pytest.mark.parametrize("exercise_id, answer, hint", WRONG)
def test_wrong_answer_fails_with_hint(exercise_id, answer, hint, assert_hint):
    assert_hint(exercise_id, answer, hint)


def test_every_exercise_has_three_wrong_answers():
    for exercise_id in CORRECT:
        assert sum(ex == exercise_id for ex, _, _ in WRONG) >= 3, exercise_id



def test_value_demo_uses_the_learners_class_only_once_it_passes(capsys):
    from course_lib.checks.lesson05 import _Value, demo_value_class
    mine = make_value()
    assert demo_value_class(mine) is mine
    assert "uses your Value" in capsys.readouterr().out
    assert demo_value_class(make_value(assign=True)) is _Value
    assert "+= ..." in capsys.readouterr().out
    assert demo_value_class(stub) is _Value
    assert "not written yet" in capsys.readouterr().out
