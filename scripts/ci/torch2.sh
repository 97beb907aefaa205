#!/usr/bin/env bash
# The newest PyTorch 2.x CPU build pip can install here, in its own venv, as the benchmark's second peer beside
# Debian's PyTorch 1.13 (`netspec bench` uses it when present; no test needs it). Idempotent: fast when the venv
# already imports torch. Never fails the caller: prints why and exits 0 when it cannot install.
set -u
VENV="${NETSPEC_TORCH2_VENV:-/opt/netspec-venv-torch2}"
if "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
  exit 0
fi
if ! /usr/bin/python3 -m venv "$VENV" >/dev/null 2>&1; then
  echo "torch2: cannot create $VENV with /usr/bin/python3 -m venv (apt-get install python3-venv); bench runs without it"
  exit 0
fi
# pip's configured find-links and constraints pick the newest 2.x CPU wheel available offline.
if ! "$VENV/bin/pip" install -q 'torch>=2,<3' numpy >/dev/null 2>&1; then
  echo "torch2: pip could not install torch 2.x into $VENV; bench runs without it"
  exit 0
fi
"$VENV/bin/python" -c 'import torch; print("torch2: installed torch", torch.__version__, "in '"$VENV"'")'
