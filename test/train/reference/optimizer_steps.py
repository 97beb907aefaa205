"""Runs Keras 3's or torch's optimizers on the problem of test/train/optimizers.test.ts and prints the weights.

usage: optimizer_steps.py keras|torch|torch-builtin CASES_JSON
f(w) = sum(c * w**2 + d * w), so the gradient 2 c w + d is computed here by hand for every framework alike; each
case lists the optimizer's settings and one learning rate per step. Prints {case name: [weights after the last step]}.
"""
import json
import os
import sys

import numpy as np


def gradient(w, c, d):
    return 2 * c * w + d


def keras_run(case, w0, c, d):
    import keras
    o = case["optimizer"]
    lr = case["lrs"][0]
    if o["type"] == "rmsprop":
        opt = keras.optimizers.RMSprop(learning_rate=lr, rho=o["rho"], epsilon=o["epsilon"], momentum=o["momentum"], centered=o["centered"])
    else:
        opt = keras.optimizers.AdamW(learning_rate=lr, beta_1=o["beta1"], beta_2=o["beta2"], epsilon=o["epsilon"], weight_decay=o["weightDecay"])
    w = keras.Variable(np.array(w0, dtype=np.float32))
    for lr in case["lrs"]:
        opt.learning_rate = lr
        g = gradient(np.array(w.numpy(), dtype=np.float32), c, d).astype(np.float32)
        opt.apply_gradients([(g, w)])
    return np.asarray(w.numpy(), dtype=np.float64).tolist()


def torch_run(case, w0, c, d, builtin):
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "python"))
    from netspec_optim import make_optimizer
    o = case["optimizer"]
    w = torch.tensor(w0, dtype=torch.float32, requires_grad=True)
    if builtin and o["type"] == "rmsprop":
        # PyTorch's own RMSprop with the same numbers: eps after the root, lr outside the momentum buffer.
        opt = torch.optim.RMSprop([w], lr=case["lrs"][0], alpha=o["rho"], eps=o["epsilon"], momentum=o["momentum"], centered=o["centered"])
    else:
        opt = make_optimizer(o, [w], case["lrs"][0])
    ct, dt = torch.tensor(c, dtype=torch.float32), torch.tensor(d, dtype=torch.float32)
    for lr in case["lrs"]:
        for group in opt.param_groups:
            group["lr"] = lr
        w.grad = gradient(w.detach(), ct, dt)
        opt.step()
    return w.detach().double().tolist()


def main():
    framework = sys.argv[1]
    spec = json.loads(sys.argv[2])
    c, d = np.array(spec["c"], dtype=np.float32), np.array(spec["d"], dtype=np.float32)
    out = {}
    # torch-builtin: PyTorch's own RMSprop, for the RMSprop cases only.
    for case in [k for k in spec["cases"] if framework != "torch-builtin" or k["optimizer"]["type"] == "rmsprop"]:
        if framework == "keras":
            out[case["name"]] = keras_run(case, spec["w0"], c, d)
        else:
            out[case["name"]] = torch_run(case, spec["w0"], spec["c"], spec["d"], framework == "torch-builtin")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
