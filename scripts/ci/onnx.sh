#!/usr/bin/env bash
# The ONNX checker for the ONNX export tests: Python's `onnx` package in a venv (from the configured pip mirror).
# Idempotent and quick when already there; prints one line and exits 0 when it cannot install.
set -u
VENV="${NETSPEC_VENV:-/opt/netspec-venv}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import onnx' 2>/dev/null; then exit 0; fi
if ! command -v python3 >/dev/null; then echo "python3 missing: the ONNX checker test is skipped"; exit 0; fi
python3 -m venv "$VENV" >/dev/null 2>&1 || { echo "cannot create $VENV: the ONNX checker test is skipped"; exit 0; }
"$VENV/bin/pip" install -q onnx >/dev/null 2>&1 || echo "pip could not install onnx: the ONNX checker test is skipped"
exit 0
