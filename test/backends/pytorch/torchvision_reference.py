"""Reference checkpoints from torchvision itself, for the state-dict tests.

    python3 torchvision_reference.py make OUT_DIR NAME...   # seeded random weights and BN statistics, eval logits
    python3 torchvision_reference.py reload NAME IN OUT     # load IN with strict=True, write its state_dict to OUT

`make` writes NAME.safetensors (the state dict) and NAME.io.safetensors (input x, NCHW; logits y32 in float32 and
y64 in float64, whose distance is torch's own float32 noise).
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "python"))
from safetensors_io import load_file, save_file  # noqa: E402

SIZE = 64


def randomised(name):
    torch.manual_seed(1234)
    model = getattr(torchvision.models, name)(num_classes=10)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.running_mean.normal_(0, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
    return model.eval()


def make(out, names):
    for name in names:
        model = randomised(name)
        torch.manual_seed(99)
        x = torch.randn(2, 3, SIZE, SIZE)
        with torch.no_grad():
            y32 = model(x)
            y64 = model.double()(x.double())
        save_file(randomised(name).state_dict(), os.path.join(out, f"{name}.safetensors"))
        save_file({"x": x, "y32": y32, "y64": y64}, os.path.join(out, f"{name}.io.safetensors"))


def reload(name, src, dst):
    model = getattr(torchvision.models, name)(num_classes=10)
    model.load_state_dict(load_file(src), strict=True)
    save_file(model.state_dict(), dst)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3:])
    else:
        reload(*sys.argv[2:5])
