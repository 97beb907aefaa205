"""Draws kernels with real Keras 3 initialisers and reports their statistics.

    python initializer_stats.py JOBS.json OUT.json

JOBS.json: [[keras initialiser expression, shape], ...]; an expression is a Keras identifier ("he_normal") or a
constructor call on keras.initializers ('VarianceScaling(scale=2.0, mode="fan_out", ...)'). OUT.json: per job,
[std, max |w|, fraction beyond 2 std].
"""
import json
import sys

import keras
import numpy as np


def initializer(expr):
    if "(" not in expr:
        return keras.initializers.get(expr)
    return eval(f"keras.initializers.{expr}", {"keras": keras})  # the expressions are netspec's own table


def stats(expr, shape):
    w = np.asarray(keras.ops.convert_to_numpy(initializer(expr)(tuple(shape))), dtype=np.float64)
    std = float(w.std())
    beyond = float((np.abs(w) > 2 * std).mean()) if std > 0 else 0.0
    return [std, float(np.abs(w).max()), beyond]


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([stats(e, s) for e, s in jobs], f)
