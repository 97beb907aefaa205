"""Runs netspec-emitted PyTorch modules for the tests.

    python3 emitted_check.py JOBS.json

Each job is {"module": path, "names": out.json} (state-dict names, shapes and the parameter count) or
{"module": path, "weights": in.safetensors, "io": io.safetensors, "out": out.safetensors} (load the weights with
strict=True, run eval mode on x in float32 and float64, write y32 and y64).
"""
import importlib.util
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from safetensors_io import load_file, save_file  # noqa: E402


def load_module(path, index):
    spec = importlib.util.spec_from_file_location(f"emitted_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.create_model()


def run(job, index):
    model = load_module(job["module"], index)
    if "names" in job:
        state = model.state_dict()
        with open(job["names"], "w") as f:
            json.dump({
                "params": sum(p.numel() for p in model.parameters()),
                "state": [[k, list(v.shape)] for k, v in state.items() if not k.endswith("num_batches_tracked")],
            }, f)
        return
    model.load_state_dict(load_file(job["weights"]), strict=True)
    model.eval()
    x = load_file(job["io"])["x"]
    with torch.no_grad():
        y32 = model(x)
        y64 = model.double()(x.double())
    save_file({"y32": y32, "y64": y64}, job["out"])


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    for i, job in enumerate(jobs):
        run(job, i)
