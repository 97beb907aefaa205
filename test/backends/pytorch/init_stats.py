"""Builds netspec-emitted PyTorch modules (their __init__ runs reset_parameters) and reports each weight's statistics.

    python3 init_stats.py JOBS.json OUT.json

JOBS.json is a list of module paths; OUT.json gets, per module, {state-dict name: [shape, std, max |w|, fraction
beyond 2 std]} for every Conv2d and Linear weight and bias.
"""
import importlib.util
import json
import sys

import torch


def stats(path, index):
    spec = importlib.util.spec_from_file_location(f"emitted_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.manual_seed(index)
    model = module.create_model()
    out = {}
    for name, m in model.named_modules():
        if not isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            continue
        for kind in ("weight", "bias"):
            w = getattr(m, kind)
            if w is None:
                continue
            w = w.detach().double()
            std = w.std(unbiased=False).item()
            beyond = (w.abs() > 2 * std).double().mean().item() if std > 0 else 0.0
            out[f"{name}.{kind}"] = [list(w.shape), std, w.abs().max().item(), beyond]
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        jobs = json.load(f)
    with open(sys.argv[2], "w") as f:
        json.dump([stats(p, i) for i, p in enumerate(jobs)], f)
