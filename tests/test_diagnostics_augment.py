"""Diagnostics (layer outputs, dead units, gradient norms) and augmentation (shift, rotate, noise)."""
import numpy as np
import pytest

from course_lib import Dense, ReLU, Sequential, Softmax, augment, mlp
from course_lib.augment import add_noise, expand_dataset, rotate_images, shift_images
from course_lib.diagnostics import (
    dead_unit_fraction,
    depth_profile,
    gradient_norms,
    layer_outputs,
    pre_activations,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(12, 4))
LABELS = rng.integers(0, 3, size=12)


def relu_net():
    return Sequential([Dense(4, 6), ReLU(), Dense(6, 3), Softmax()], rng=0).compile()


def test_layer_outputs_follow_the_layers():
    net = relu_net()
    outs = layer_outputs(net, X)
    assert [o.shape for o in outs] == [(12, 6), (12, 6), (12, 3), (12, 3)]
    np.testing.assert_allclose(outs[1], np.maximum(outs[0], 0))
    np.testing.assert_array_equal(outs[-1], net.predict_proba(X))


def test_pre_activations_are_z_of_each_dense_layer():
    net = relu_net()
    z1, z2 = pre_activations(net, X)
    layer0, layer2 = net.layers[0], net.layers[2]
    np.testing.assert_allclose(z1, X @ layer0.W + layer0.b)
    np.testing.assert_allclose(z2, np.maximum(z1, 0) @ layer2.W + layer2.b)


def test_dead_unit_fraction():
    net = relu_net()
    assert dead_unit_fraction(net, X, 1) == 0.0
    net.layers[0].b[:3] = -100.0                     # three of six units never fire
    assert dead_unit_fraction(net, X, 1) == 0.5
    _, grads = net.compute_gradients(X, LABELS)
    np.testing.assert_array_equal(grads["dense_0.W"][:, :3], 0.0)   # ...so they get no gradient


def test_gradient_norms_show_vanishing_gradients_in_a_deep_sigmoid_net():
    net = mlp([4, 8, 8, 8, 8, 3], activation="sigmoid", rng=0).compile()
    norms = gradient_norms(net, X, LABELS)
    assert list(norms) == ["dense_0.W", "dense_2.W", "dense_4.W", "dense_6.W", "dense_8.W"]
    assert all(v > 0 for v in norms.values())
    assert norms["dense_0.W"] < 0.1 * norms["dense_8.W"]


# ---------------------------------------------------------------- augmentation
def one_pixel(r, c, n=1):
    images = np.zeros((n, 28, 28))
    images[:, r, c] = 1.0
    return images.reshape(n, 784)


def test_shift_moves_a_pixel_right_and_down():
    out = shift_images(one_pixel(10, 5), dx=2, dy=3).reshape(28, 28)
    assert out[13, 7] == 1.0 and out.sum() == 1.0
    out = shift_images(one_pixel(10, 5), dx=-5, dy=-1).reshape(28, 28)
    assert out[9, 0] == 1.0 and out.sum() == 1.0


def test_shift_drops_what_leaves_the_frame():
    assert shift_images(one_pixel(0, 27), dx=1).sum() == 0.0
    assert shift_images(one_pixel(14, 14), dx=28).sum() == 0.0
    np.testing.assert_array_equal(shift_images(one_pixel(3, 4)), one_pixel(3, 4))


def test_rotation_by_0_and_360_changes_nothing():
    images = rng.random((3, 784))
    np.testing.assert_allclose(rotate_images(images, 0), images, atol=1e-12)
    np.testing.assert_allclose(rotate_images(images, 360), images, atol=1e-9)


def test_quarter_and_half_turns_are_exact():
    image = rng.random((1, 784))
    square = image.reshape(28, 28)
    plus, minus = rotate_images(image, 90).reshape(28, 28), rotate_images(image, -90).reshape(28, 28)
    turns = [np.rot90(square, 1), np.rot90(square, -1)]
    assert any(np.allclose(plus, t, atol=1e-9) for t in turns)
    assert any(np.allclose(minus, t, atol=1e-9) for t in turns)
    assert not np.allclose(plus, minus)
    np.testing.assert_allclose(rotate_images(image, 180).reshape(28, 28), square[::-1, ::-1], atol=1e-9)


def test_rotation_keeps_the_centre_and_the_dtype():
    image = (one_pixel(13, 13) + one_pixel(14, 14)).astype(np.float32)   # symmetric about (13.5, 13.5)
    out = rotate_images(image, 37.0)
    assert out.dtype == np.float32 and out.shape == (1, 784)
    square = out.reshape(28, 28)
    rows, cols = np.mgrid[0:28, 0:28]
    centre = ((rows * square).sum() / square.sum(), (cols * square).sum() / square.sum())
    assert centre == pytest.approx((13.5, 13.5), abs=1e-4)
    assert 0.0 <= square.min() and square.max() <= 1.0   # interpolation never overshoots


def test_one_angle_per_image_and_chunking(monkeypatch):
    images = rng.random((5, 784))
    angles = np.array([0.0, 90.0, 180.0, -90.0, 12.5])
    each = np.concatenate([rotate_images(images[i:i + 1], a) for i, a in enumerate(angles)])
    np.testing.assert_allclose(rotate_images(images, angles), each, atol=1e-12)
    monkeypatch.setattr(augment, "CHUNK", 2)       # force the chunked path on a small input
    np.testing.assert_allclose(rotate_images(images, angles), each, atol=1e-12)
    np.testing.assert_allclose(rotate_images(images, 30.0),
                               np.concatenate([rotate_images(im[None], 30.0) for im in images]), atol=1e-12)


def test_add_noise_is_seeded_and_clipped():
    images = np.full((50, 784), 0.5)
    a = add_noise(images, 0.1, rng=np.random.default_rng(3))
    b = add_noise(images, 0.1, rng=3)
    np.testing.assert_array_equal(a, b)
    assert (a - images).std() == pytest.approx(0.1, rel=0.02)
    loud = add_noise(images, 2.0, rng=0)
    assert loud.min() == 0.0 and loud.max() == 1.0
    assert add_noise(images, 2.0, rng=0, clip=False).max() > 1.0


def test_expand_dataset():
    images = rng.random((6, 784))
    labels = np.arange(6)
    X2, y2 = expand_dataset(images, labels, rng=np.random.default_rng(0), copies=2)
    assert X2.shape == (18, 784)
    np.testing.assert_array_equal(X2[:6], images)                 # originals first
    np.testing.assert_array_equal(y2, np.tile(labels, 3))
    assert not np.allclose(X2[6:12], images)
    X3, _ = expand_dataset(images, labels, rng=0, copies=2)
    np.testing.assert_array_equal(X2, X3)                         # same seed, same copies


def test_depth_profile_matches_its_parts_layer_by_layer():
    net = mlp([4, 8, 8, 8, 3], activation="relu", weight_init="he", rng=1).compile()
    profile = depth_profile(net, X, LABELS)
    assert len(profile["z_std"]) == len(profile["grad_norm"]) == 4
    np.testing.assert_allclose(profile["z_std"], [z.std() for z in pre_activations(net, X)])
    np.testing.assert_allclose(profile["grad_norm"], list(gradient_norms(net, X, LABELS).values()))


def test_depth_profile_shows_relu_signals_shrinking_or_keeping_their_size():
    wide = np.random.default_rng(0).normal(size=(200, 64))
    labels = np.arange(200) % 10
    profiles = {init: depth_profile(mlp([64] + [128] * 12 + [10], activation="relu", weight_init=init,
                                        rng=3).compile(), wide, labels)
                for init in ("scaled_normal", "he")}
    lecun, he = profiles["scaled_normal"]["z_std"], profiles["he"]["z_std"]
    # ReLU halves the variance per layer under 1/n: the std falls by about sqrt(2) per layer
    assert 0.5 < (lecun[-1] / lecun[0]) ** (1 / 12) < 0.85
    assert 0.6 < he[-1] / he[0] < 1.6
