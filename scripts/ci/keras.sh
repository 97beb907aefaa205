#!/usr/bin/env bash
# Real Keras for the Keras-weights tests: a venv with keras 3 on the jax CPU backend (lighter than tensorflow-cpu,
# ~0.4 GB) and h5py, at .venv-keras in the repository (git-ignored). Idempotent: a venv that already imports keras
# is left alone. Never fails CI: when it cannot be made it says why and the tests skip visibly.
set -u
export KERAS_BACKEND=jax JAX_PLATFORMS=cpu
cd "$(dirname "$0")/../.."
venv=.venv-keras
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import keras, jax, h5py' >/dev/null 2>&1; then
  echo "keras venv: ready ($venv)"
  exit 0
fi
py="$(command -v python3 || true)"
if [ -z "$py" ]; then echo "keras venv: no python3 here; Keras-file tests will skip"; exit 0; fi
rm -rf "$venv"
if ! "$py" -m venv "$venv" >/dev/null 2>&1; then echo "keras venv: python3 -m venv failed (python3-venv missing?); Keras-file tests will skip"; exit 0; fi
if ! "$venv/bin/pip" install -q keras 'jax[cpu]' h5py >/dev/null 2>&1; then
  echo "keras venv: pip could not install keras, jax and h5py; Keras-file tests will skip"
  rm -rf "$venv"
  exit 0
fi
echo "keras venv: installed keras $("$venv/bin/python" -c 'import keras; print(keras.__version__)') at $venv"
