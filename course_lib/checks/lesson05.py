"""Checkers for lesson 05, backpropagation. Each compares the answer with centred finite
differences (course_lib.gradcheck) or a hidden reference on cases the notebook does not show.

05.5's reference scalar autograd class, ``_Value``, lives here (not in course_lib's modules: the
class is the learner's exercise). ``demo_value_class`` hands the lesson's 2-2-1 demo the learner's
class once it passes, and the reference with a one-line reason until then.
"""
from __future__ import annotations

import math

import numpy as np

from ..activations import sigmoid, sigmoid_prime
from ..gradcheck import numerical_gradient, rel_error
from .core import Hint, call_quietly, exercise


def _close(got, want, tol=1e-6):
    got = np.asarray(got, dtype=float)
    return got.shape == np.shape(want) and np.allclose(got, want, rtol=tol, atol=1e-10)


@exercise("05.1", "The chain rule for one sigmoid neuron")
def check_neuron_grads(neuron_grads):
    # (x, w, b, y): ordinary, negative input, target above the output, and a saturated neuron
    for x, w, b, y in [(1.5, 0.8, -0.3, 0.0), (-2.0, 0.4, 0.1, 1.0), (0.7, -1.2, 0.5, 0.9),
                       (1.0, 6.0, 4.0, 0.0)]:
        theta = np.array([w, b])

        def loss():
            return 0.5 * (sigmoid(theta[0] * x + theta[1]) - y) ** 2

        want = numerical_gradient(loss, theta, h=1e-6)
        got = neuron_grads(x, w, b, y)
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise Hint("Return a pair (dL_dw, dL_db).")
        got = np.array([float(got[0]), float(got[1])])
        if _close(got, want):
            continue
        z = w * x + b
        a, s = sigmoid(z), sigmoid_prime(z)
        case = f"For x={x}, w={w}, b={b}, y={y}"
        if _close(got, -want):
            raise Hint(f"{case} your gradient has the wrong sign. dL/da = a - y (output minus "
                       f"target), not y - a.")
        if _close(got, 2 * want):
            raise Hint(f"{case} your gradient is twice too big. The loss has a 1/2 in front, so "
                       f"dL/da = a - y.")
        if _close(got, [(a - y) * x, a - y]):
            raise Hint(f"{case} the factor sigma'(z) is missing: a = sigma(z), so da/dz = "
                       f"sigma(z) (1 - sigma(z)) must sit between dL/da and dz/dw.")
        if np.isclose(got[0], got[1]) and not np.isclose(want[0], want[1]):
            raise Hint(f"{case} dL/dw equals dL/db. They differ by the last link: dz/dw = x but "
                       f"dz/db = 1.")
        raise Hint(f"{case} finite differences give dL/dw = {want[0]:.6g}, dL/db = {want[1]:.6g}; "
                   f"you returned {got[0]:.6g}, {got[1]:.6g}. Multiply dL/da = a - y, "
                   f"da/dz = a (1 - a) = {s:.4g}, and dz/dw = x or dz/db = 1.")
    return "matches finite differences, including a saturated neuron"


@exercise("05.2", "A Dense layer's backward pass")
def check_dense_backward(dense_backward):
    rng = np.random.default_rng(52)
    for n, d_in, d_out in [(4, 3, 2), (1, 5, 1), (6, 2, 3)]:
        x, W, b = rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out)
        delta = rng.normal(size=(n, d_out))

        def cost():   # a scalar whose dC/dz is exactly delta
            return float(np.sum((x @ W + b) * delta))

        want = {"dx": numerical_gradient(cost, x), "dW": numerical_gradient(cost, W),
                "db": numerical_gradient(cost, b)}
        got = dense_backward(x.copy(), W.copy(), delta.copy())
        if not (isinstance(got, (tuple, list)) and len(got) == 3):
            raise Hint("Return three arrays: (dx, dW, db).")
        got = dict(zip(("dx", "dW", "db"), (np.asarray(g, dtype=float) for g in got)))
        case = f"With x {x.shape}, W {W.shape}, delta {delta.shape}"
        if got["dW"].shape != W.shape:
            raise Hint(f"{case} dW has shape {got['dW'].shape} but must have W's shape {W.shape}. "
                       f"Sum the outer products over the batch: dW = x.T @ delta.")
        if got["db"].shape != b.shape:
            raise Hint(f"{case} db has shape {got['db'].shape} but must have b's shape {b.shape}: "
                       f"add delta up over the rows, np.sum(delta, axis=0).")
        if got["dx"].shape != x.shape:
            raise Hint(f"{case} dx has shape {got['dx'].shape} but must have x's shape {x.shape}: "
                       f"dx = delta @ W.T.")
        if n > 1 and _close(got["db"], want["db"] / n):
            raise Hint(f"{case} db is the mean of delta's rows. Sum them instead: delta already "
                       f"carries the 1/n of the batch-mean cost.")
        if n > 1 and _close(got["dW"], want["dW"] / n):
            raise Hint(f"{case} dW is divided by n. Use x.T @ delta without dividing: delta "
                       f"already carries the 1/n of the batch-mean cost.")
        for name in ("dx", "dW", "db"):
            if not _close(got[name], want[name]):
                rule = {"dx": "delta @ W.T", "dW": "x.T @ delta", "db": "delta.sum(axis=0)"}[name]
                raise Hint(f"{case} {name} differs from finite differences (relative error "
                           f"{rel_error(got[name], want[name]):.2g}). It should be {rule}.")
    return "dx, dW and db match finite differences, also for n = 1 and one output"


def _centred_reference(f, x, h):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


@exercise("05.3", "Centred finite differences")
def check_centred_difference(centred_difference):
    rng = np.random.default_rng(53)
    A = rng.normal(size=(4, 4))
    cases = [(lambda v: float(np.sum(np.sin(v) * v ** 2)),
              lambda v: np.cos(v) * v ** 2 + 2 * v * np.sin(v), rng.normal(size=(2, 3))),
             (lambda v: float(v @ A @ v), lambda v: (A + A.T) @ v, rng.normal(size=4)),
             (lambda v: float(np.exp(v).sum()), np.exp, np.array([0.5]))]
    for f, exact, x in cases:
        for h in (1e-5, 1e-3):
            before = x.copy()
            got = centred_difference(f, x, h)
            if not np.array_equal(x, before):
                raise Hint("Your function changed x. Restore each entry after perturbing it, or "
                           "perturb a copy.")
            got = np.asarray(got, dtype=float)
            if got.shape != x.shape:
                raise Hint(f"For x of shape {x.shape} the gradient must have the same shape, but "
                           f"yours has shape {got.shape}. Perturb one entry at a time.")
            want = exact(x)
            err = rel_error(got, want)
            if err < max(1e-6, 10 * h * h):   # centred differences are accurate to O(h^2)
                continue
            one_sided = np.array([(f(x + h * np.eye(x.size)[i].reshape(x.shape)) - f(x)) / h
                                  for i in range(x.size)]).reshape(x.shape)
            if rel_error(got, one_sided) < 1e-8:
                raise Hint(f"With h={h} you used the one-sided difference (f(x + h) - f(x)) / h, "
                           f"whose error shrinks only like h (here {err:.1g}). Use the centred "
                           f"(f(x + h) - f(x - h)) / (2h), whose error shrinks like h^2.")
            if rel_error(got, 2 * _centred_reference(f, x, h)) < 1e-8:
                raise Hint("Your gradient is twice the true one: the two points x + h and x - h "
                           "lie 2h apart, so divide by 2h, not h.")
            raise Hint(f"With h={h} and x of shape {x.shape}, your gradient is off by a relative "
                       f"error of {err:.2g}. For each entry i: add h to x[i] only, evaluate f, "
                       f"subtract h instead, evaluate again, divide the difference by 2h.")
    return "accurate to O(h^2) for matrices, vectors and a single entry, and x is left unchanged"


def _forward_221(x, W1, b1, W2, b2):
    u = x @ W1 + b1                  # u0, u1
    h = sigmoid(u)                   # x0', x1'
    u2 = h @ W2[:, 0] + b2[0]
    return u, h, u2, sigmoid(u2)


@exercise("05.4", "By hand: dLoss/db of the first hidden unit")
def check_grad_b1_0(grad_b1_0):
    rng = np.random.default_rng(54)
    for _ in range(4):
        x, W1, b1 = rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2)
        W2, b2, y = rng.normal(size=(2, 1)), rng.normal(size=1), float(rng.uniform())

        def loss():
            return (_forward_221(x, W1, b1, W2, b2)[3] - y) ** 2

        want = float(numerical_gradient(loss, b1)[0])
        got = float(grad_b1_0(x.copy(), W1.copy(), b1.copy(), W2.copy(), b2.copy(), y))
        if np.isclose(got, want, rtol=1e-6, atol=1e-10):
            continue
        u, h, u2, y0 = _forward_221(x, W1, b1, W2, b2)
        links = {"dLoss/dy0 = 2 (y0 - y)": 2 * (y0 - y), "g'(u2) = y0 (1 - y0)": y0 * (1 - y0),
                 "du2/dx0' = w2_00": W2[0, 0], "f'(u0) = x0' (1 - x0')": h[0] * (1 - h[0])}
        for name, factor in links.items():
            if np.isclose(got * factor, want, rtol=1e-6) and not np.isclose(factor, 1.0):
                raise Hint(f"One link of the chain is missing: {name}. Multiply all four links; "
                           f"du0/db1_0 = 1.")
        if np.isclose(got, -want, rtol=1e-6):
            raise Hint("The sign is flipped: dLoss/dy0 = 2 (y0 - y), output minus target.")
        if np.isclose(got, want * x[0], rtol=1e-6):
            raise Hint("You multiplied by x0, which belongs to dLoss/dw1_00. For the bias, "
                       "du0/db1_0 = 1.")
        raise Hint(f"For one random network finite differences give {want:.6g} but you returned "
                   f"{got:.6g}. Multiply 2 (y0 - y) * y0 (1 - y0) * w2_00 * x0' (1 - x0') * 1.")
    return "matches finite differences on four random 2-2-1 networks"


# ------------------------------------------------------------------ 05.5 a scalar Value
class _Value:
    """The reference answer to 05.5: one number in a computational graph, micrograd-style."""

    def __init__(self, data, children=()):
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(children)
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, _Value) else _Value(other)
        out = _Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, _Value) else _Value(other)
        out = _Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def tanh(self):
        out = _Value(math.tanh(self.data), (self,))

        def _backward():
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        out = _Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)
        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"


def _near(got, want):
    try:
        return math.isclose(float(got), float(want), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _grads(Value, build, leaves):
    """Build an expression from fresh leaves (Values of ``leaves``), run backward, return
    (output, [leaf.grad, ...])."""
    nodes = [Value(x) for x in leaves]
    out = build(*nodes)
    out.backward()
    return out, [n.grad for n in nodes]


def _leaf_report(names, got, want):
    return ", ".join(f"d/d{n} = {float(g):.6g} (should be {w:.6g})" for n, g, w in zip(names, got, want))


# Unseen expressions: (text, leaf names, build, leaf values). Plain numbers on both sides, reuse,
# a node feeding several others, and a long chain.
_EXPRESSIONS = [
    ("tanh(w1 * x1 + w2 * x2 + b) with x1 = 0.5, x2 = -1.5", ("w1", "w2", "b"),
     lambda w1, w2, b: (0.5 * w1 + w2 * -1.5 + b).tanh(), (0.8, -0.4, 0.1)),
    ("exp(a * b) * a + 2 * b * b + tanh(a + 1) * c", ("a", "b", "c"),
     lambda a, b, c: (a * b).exp() * a + 2 * b * b + (a + 1).tanh() * c, (0.3, -0.7, 1.2)),
    ("u = a * b + c; u * u + exp(u) * 3 + tanh(u)", ("a", "b", "c"),
     lambda a, b, c: (lambda u: u * u + u.exp() * 3 + u.tanh())(a * b + c), (0.4, 0.9, -0.2)),
    ("a 12-link chain, x <- tanh(0.9 * x + 0.1 * a) + a from x = a", ("a",),
     lambda a: _chain(a), (0.35,)),
]


def _chain(a):
    x = a
    for _ in range(12):
        x = (0.9 * x + 0.1 * a).tanh() + a
    return x


@exercise("05.5", "A scalar Value with backward()")
def check_value(Value):
    v = Value(2.0)              # first, so that the student edition's stub says "not attempted"
    if not isinstance(Value, type):
        raise Hint(f"Pass the class itself, check(\"05.5\", Value), not a "
                   f"{type(Value).__name__}.")
    if not _near(getattr(v, "data", None), 2.0) or getattr(v, "grad", None) != 0:
        raise Hint("Value(2.0) must have .data == 2.0 and .grad == 0.0 before any backward().")

    # Forward values: each operation returns a new Value holding the right number.
    a, b = Value(1.5), Value(-0.8)
    for text, make, want in [("a + b", lambda: a + b, 0.7), ("a * b", lambda: a * b, -1.2),
                             ("a.tanh()", lambda: a.tanh(), math.tanh(1.5)),
                             ("a.exp()", lambda: a.exp(), math.exp(1.5))]:
        out = make()
        if not isinstance(out, Value):
            raise Hint(f"With a = Value(1.5), b = Value(-0.8), {text} returned a "
                       f"{type(out).__name__}, not a Value: every operation must return a new "
                       f"Value whose _children are its inputs, or backward() cannot walk the graph.")
        if not _near(out.data, want):
            raise Hint(f"With a = Value(1.5), b = Value(-0.8), {text} has data {out.data!r}, but "
                       f"should be {want:.6g}.")

    # Plain numbers on either side.
    for text, make, want, fix in [
            ("Value(1.5) + 2", lambda: Value(1.5) + 2, 3.5,
             "in __add__, wrap a plain number first: other = other if isinstance(other, Value) "
             "else Value(other)"),
            ("Value(1.5) * 3", lambda: Value(1.5) * 3, 4.5,
             "in __mul__, wrap a plain number first: other = other if isinstance(other, Value) "
             "else Value(other)"),
            ("2 + Value(1.5)", lambda: 2 + Value(1.5), 3.5,
             "Python asks the Value for __radd__ when the number comes first: define "
             "__radd__(self, other), returning self + other"),
            ("3 * Value(1.5)", lambda: 3 * Value(1.5), 4.5,
             "Python asks the Value for __rmul__ when the number comes first: define "
             "__rmul__(self, other), returning self * other")]:
        try:
            out = make()
        except (TypeError, AttributeError) as exc:
            raise Hint(f"{text} failed ({type(exc).__name__}: {exc}): {fix}.") from None
        if not isinstance(out, Value) or not _near(out.data, want):
            raise Hint(f"{text} should be a Value with data {want}, but is {out!r}: {fix}.")

    # Seeding: backward() starts from d(out)/d(out) = 1.
    out, (ga, gb) = _grads(Value, lambda a, b: a * b, (1.5, -0.8))
    if ga == 0 and gb == 0:
        if out.grad != 1:
            raise Hint("After f = a * b; f.backward(), every grad is still 0: backward() must first "
                       "seed the output with self.grad = 1.0 (df/df = 1), then call each node's "
                       "_backward.")
        raise Hint("After f = a * b; f.backward(), f.grad is 1 but a.grad and b.grad are 0: "
                   "__mul__ must set out._backward, and backward() must call it.")

    # Local derivatives of + and *.
    if _near(ga, 1.5) and _near(gb, -0.8):
        raise Hint("For f = a * b you gave a the gradient a and b the gradient b. The local "
                   "derivative of a * b by a is the *other* factor: self.grad += other.data * "
                   "out.grad, other.grad += self.data * out.grad.")
    if not (_near(ga, -0.8) and _near(gb, 1.5)):
        raise Hint(f"For f = a * b with a = 1.5, b = -0.8: {_leaf_report('ab', (ga, gb), (-0.8, 1.5))}. "
                   f"The local derivative of a * b by a is b, and by b it is a.")
    _, (ga, gb) = _grads(Value, lambda a, b: a + b, (1.5, -0.8))
    if not (_near(ga, 1) and _near(gb, 1)):
        raise Hint(f"For f = a + b: {_leaf_report('ab', (ga, gb), (1, 1))}. The local "
                   f"derivative of a sum by each term is 1: self.grad += out.grad, "
                   f"other.grad += out.grad.")

    # A value used twice must collect both contributions.
    for text, build, x, want in [("x * x", lambda x: x * x, 3.0, 6.0),
                                 ("x + x", lambda x: x + x, 3.0, 2.0)]:
        _, (g,) = _grads(Value, build, (x,))
        if not _near(g, want):
            raise Hint(f"For f = {text} at x = {x}, x.grad is {float(g):.6g} but should be {want:g}. "
                       f"x is used twice, and each use adds its share: write self.grad += ... "
                       f"(and other.grad += ...), not =, in every _backward.")

    # The chain rule through an inner node, and the order of the backward pass.
    _, (ga, gb, gc) = _grads(Value, lambda a, b, c: (a * b) * c, (1.5, -0.8, 2.5))
    if ga == 0 and gb == 0:
        raise Hint("For f = (a * b) * c, a.grad and b.grad stay 0: the inner node a * b ran its "
                   "_backward before f had passed it any gradient. Call _backward in reverse "
                   "topological order: the output first, each node only after every node that "
                   "uses it (build the order by a depth-first search, then reverse it).")
    if _near(ga, -0.8) and _near(gb, 1.5):
        raise Hint("For f = (a * b) * c, a.grad is b, not b * c: each _backward must multiply its "
                   "local derivative by out.grad (the chain rule), e.g. self.grad += other.data * "
                   "out.grad.")
    if not (_near(ga, -2.0) and _near(gb, 3.75) and _near(gc, -1.2)):
        raise Hint(f"For f = (a * b) * c with a = 1.5, b = -0.8, c = 2.5: "
                   f"{_leaf_report('abc', (ga, gb, gc), (-2.0, 3.75, -1.2))}.")
    # A diamond: u feeds both v = u * 3 and f = u + v, so u must wait for both.
    _, (ga, gk) = _grads(Value, lambda a, k: (lambda u: u + u * 3)(a * k), (1.5, -0.8))
    if not (_near(ga, -3.2) and _near(gk, 6.0)):
        raise Hint(f"For u = a * k, f = u + u * 3 with a = 1.5, k = -0.8: "
                   f"{_leaf_report('ak', (ga, gk), (-3.2, 6.0))}. u is used by two nodes, so its "
                   f"_backward may run only after both have added to u.grad: visit the nodes in "
                   f"reverse topological order (a depth-first search from the output that adds a "
                   f"node after its children, then reversed), each node once.")

    # tanh and exp, alone and inside a chain.
    x = 0.7
    t = math.tanh(x)
    _, (g,) = _grads(Value, lambda x: x.tanh(), (x,))
    if not _near(g, 1 - t * t):
        if _near(g, 1 - t):
            raise Hint(f"tanh'(x) at x = {x} came out as 1 - tanh(x) = {1 - t:.6g}; it is "
                       f"1 - tanh(x)**2 = {1 - t * t:.6g}. Square the output: "
                       f"(1 - out.data**2) * out.grad.")
        if _near(g, 1 - x * x):
            raise Hint(f"tanh'(x) at x = {x} came out as 1 - x**2 = {1 - x * x:.6g}: you squared "
                       f"the input. The derivative is 1 - t**2 with t = tanh(x), the output: "
                       f"(1 - out.data**2) * out.grad.")
        raise Hint(f"tanh'(x) at x = {x} should be 1 - tanh(x)**2 = {1 - t * t:.6g}, but x.grad "
                   f"is {float(g):.6g}.")
    _, (g,) = _grads(Value, lambda x: 2.5 * x.tanh(), (x,))
    if not _near(g, 2.5 * (1 - t * t)):
        raise Hint("For f = 2.5 * tanh(x), x.grad misses the factor 2.5: tanh's _backward must "
                   "multiply by out.grad, (1 - out.data**2) * out.grad.")
    x = 0.6
    _, (g,) = _grads(Value, lambda x: x.exp(), (x,))
    if not _near(g, math.exp(x)):
        what = {x: "x itself", 1.0: "1", x * math.exp(x - 1): "x * exp(x - 1) (the power rule)"}
        said = next((text for value, text in what.items() if _near(g, value)), f"{float(g):.6g}")
        raise Hint(f"exp's local derivative at x = {x} came out as {said}; d exp(x)/dx = exp(x) = "
                   f"{math.exp(x):.6g}, which is the output's own data: "
                   f"self.grad += out.data * out.grad.")
    _, (g,) = _grads(Value, lambda x: 3 * x.exp(), (x,))
    if not _near(g, 3 * math.exp(x)):
        raise Hint("For f = 3 * exp(x), x.grad misses the factor 3: exp's _backward must multiply "
                   "by out.grad, out.data * out.grad.")

    # Expressions the notebook never shows, against the reference.
    for text, names, build, leaves in _EXPRESSIONS:
        out, got = _grads(Value, build, leaves)
        ref, want = _grads(_Value, build, leaves)
        if not _near(out.data, ref.data):
            raise Hint(f"For {text}, the output is {out.data!r} but should be {ref.data:.6g}.")
        if not all(_near(g, w) for g, w in zip(got, want)):
            values = ", ".join(f"{n} = {v}" for n, v in zip(names, leaves))
            raise Hint(f"For {text} at {values}: {_leaf_report(names, got, want)}.")
    return ("+, *, tanh, exp and plain numbers right; values used twice add up; backward runs in "
            "reverse topological order, also on unseen expressions")


def demo_value_class(Value):
    """The class for lesson 05's Value demo: the learner's ``Value`` once it passes check 05.5,
    else the reference ``_Value``. One printed line says which, and why not theirs."""
    try:
        call_quietly(check_value, Value)
    except NotImplementedError:
        why = "Your Value is not written yet (exercise 05.5)"
    except Hint as hint:
        why = f"Your Value does not pass check 05.5 yet: {str(hint).rstrip('.')}"
    except Exception as exc:   # the learner's code crashed: name the error, never hide it
        why = f"Your Value raised {type(exc).__name__}: {exc}"
    else:
        print("This cell uses your Value class, which passed check 05.5.")
        return Value
    print(f"{why}, so this cell uses the reference Value.")
    return _Value
