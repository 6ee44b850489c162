"""Artificially expanded data: small shifts, rotations and noise for 28x28 images, in NumPy.

Images are rows of 784 pixels, as everywhere in the course: X has shape (n, 784).
"""
from __future__ import annotations

import numpy as np

from ._validation import CourseError, as_generator, as_matrix
from .data import SIDE

CHUNK = 2048   # images rotated at a time


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
    """Rotate images about their centres (bilinear interpolation, 0 outside).

    degrees : a number (every image turns by it) or an array (n,), one angle per image.
    """
    images = _as_images(X)
    theta = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    if theta.ndim == 1 and len(theta) != len(images):
        raise CourseError(f"degrees holds {len(theta)} angles but X has {len(images)} images; "
                          f"pass one angle, or one per image.")
    theta = theta.reshape(-1, 1, 1)   # (1 or n, 1, 1), broadcasting over each image's pixels
    if len(images) > CHUNK:   # bound the temporary (n, 28, 28) float64 arrays
        return np.concatenate([rotate_images(X[i:i + CHUNK], degrees if theta.size == 1 else
                                             np.asarray(degrees)[i:i + CHUNK])
                               for i in range(0, len(images), CHUNK)])
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
        ys, xs = np.broadcast_to(ys, out.shape), np.broadcast_to(xs, out.shape)
        picked = images[np.arange(len(images))[:, None, None], np.clip(ys, 0, SIDE - 1),
                        np.clip(xs, 0, SIDE - 1)]
        out += np.where(inside, picked, 0) * weight
    return out.reshape(len(images), -1).astype(images.dtype, copy=False)


def add_noise(X, std, rng, clip=True):
    """Add Gaussian pixel noise N(0, std^2), clipped to [0, 1] by default."""
    X = as_matrix(X, "X")
    rng = as_generator(rng)
    noisy = X + rng.normal(0.0, std, size=X.shape).astype(X.dtype, copy=False)
    return np.clip(noisy, 0.0, 1.0) if clip else noisy


def expand_dataset(X, y, rng, copies=1, shifts=1, max_degrees=10.0):
    """The training set plus ``copies`` distorted copies of it, as in Nielsen's expanded MNIST.

    Every image of every copy gets its own random shift (dx, dy each in -shifts..shifts
    pixels) and its own rotation, uniform in [-max_degrees, max_degrees].
    Returns (X_expanded, y_expanded) with (copies + 1) * n rows, the originals first.
    """
    X = as_matrix(X, "X")
    rng = as_generator(rng)
    y = np.asarray(y)
    if len(y) != len(X):
        raise CourseError(f"X has {len(X)} rows but y has {len(y)}; they must match.")
    n = len(X)
    parts = [X]
    for _ in range(copies):
        dx, dy = rng.integers(-shifts, shifts + 1, size=(2, n))
        moved = np.empty_like(X)
        for sx, sy in set(zip(dx.tolist(), dy.tolist())):   # one call per distinct shift
            rows = (dx == sx) & (dy == sy)
            moved[rows] = shift_images(X[rows], sx, sy)
        parts.append(rotate_images(moved, rng.uniform(-max_degrees, max_degrees, size=n)))
    return np.concatenate(parts), np.concatenate([y] * (copies + 1))
