#!/usr/bin/env bash
# Debian's PyTorch and torchvision for the PyTorch backend's tests (reference checkpoints, emitted modules, torchrun
# training). They install for /usr/bin/python3; netspec finds that interpreter itself. Idempotent; without apt or
# root it says why and leaves the tests to report themselves as not run.
set -u
if /usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "torch.sh: not root or no apt-get: PyTorch tests will report themselves as not run"
  exit 0
fi
(apt-get -o DPkg::Lock::Timeout=300 update -qq && apt-get -o DPkg::Lock::Timeout=300 install -y -qq python3-torch python3-torchvision >/dev/null) \
  || echo "torch.sh: python3-torch/python3-torchvision unavailable: PyTorch tests will report themselves as not run"
exit 0
