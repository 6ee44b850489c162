"""Artificially expanded data: small shifts, rotations and noise for 28x28 images, in NumPy.

Images are rows of 784 pixels, as everywhere in the course: X has shape (n, 784).
"""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, as_matrix

SIDE = 28


def _as_images(X):
    X = as_matrix(X, "X")
    if X.shape[1] != SIDE * SIDE:
        raise CourseError(f"Images must be rows of {SIDE * SIDE} pixels, but X has {X.shape[1]} columns.")
    return X.reshape(len(X), SIDE, SIDE)


def shift_images(X, dx=0, dy=0):
    """Shift every image right by dx and down by dy pixels, filling the gap with 0 (background)."""
    images = _as_images(X)
    out = np.zeros_like(images)
    h, w = SIDE - abs(dy), SIDE - abs(dx)
    if h <= 0 or w <= 0:
        return out.reshape(len(images), -1)
    src_y, dst_y = (0, dy) if dy >= 0 else (-dy, 0)
    src_x, dst_x = (0, dx) if dx >= 0 else (-dx, 0)
    out[:, dst_y:dst_y + h, dst_x:dst_x + w] = images[:, src_y:src_y + h, src_x:src_x + w]
    return out.reshape(len(images), -1)


def rotate_images(X, degrees):
    """Rotate every image by ``degrees`` about its centre (bilinear interpolation, 0 outside)."""
    images = _as_images(X)
    theta = np.deg2rad(degrees)
    c = (SIDE - 1) / 2
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    # Inverse mapping: for each output pixel, find where it came from in the input.
    src_x = np.cos(theta) * (xx - c) + np.sin(theta) * (yy - c) + c
    src_y = -np.sin(theta) * (xx - c) + np.cos(theta) * (yy - c) + c
    x0, y0 = np.floor(src_x).astype(int), np.floor(src_y).astype(int)
    fx, fy = src_x - x0, src_y - y0
    out = np.zeros(images.shape, dtype=np.float64)
    for ox, oy, weight in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)),
                           (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        xs, ys = x0 + ox, y0 + oy
        inside = (xs >= 0) & (xs < SIDE) & (ys >= 0) & (ys < SIDE)
        out += np.where(inside, images[:, np.clip(ys, 0, SIDE - 1), np.clip(xs, 0, SIDE - 1)], 0) * weight
    return out.reshape(len(images), -1).astype(images.dtype, copy=False)


def add_noise(X, std, rng, clip=True):
    """Add Gaussian pixel noise N(0, std^2), clipped to [0, 1] by default."""
    X = as_matrix(X, "X")
    noisy = X + rng.normal(0.0, std, size=X.shape).astype(X.dtype, copy=False)
    return np.clip(noisy, 0.0, 1.0) if clip else noisy


def expand_dataset(X, y, rng, shifts=1, max_degrees=10.0):
    """The training set plus one randomly shifted (by up to ``shifts`` pixels) and rotated copy.

    Returns (X_expanded, y_expanded) with 2n rows, as in Nielsen's expanded MNIST.
    """
    X = as_matrix(X, "X")
    dx, dy = rng.integers(-shifts, shifts + 1, size=2)
    moved = shift_images(X, int(dx), int(dy))
    moved = rotate_images(moved, float(rng.uniform(-max_degrees, max_degrees)))
    return np.concatenate([X, moved]), np.concatenate([np.asarray(y), np.asarray(y)])
