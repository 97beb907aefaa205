"""Writes test/fixtures/timm/modules.json: timm's parameter count and weight-bearing module names of the models
netspec reproduces by name. Run with a Python that has timm and torch:

    python3 scripts/timm-modules.py > test/fixtures/timm/modules.json
"""
import json
import sys

import timm

MODELS = ['resnet50', 'resnet50d', 'seresnet50', 'seresnext50_32x4d', 'ecaresnet50d']

out = {}
for name in MODELS:
    model = timm.create_model(name, pretrained=False)
    keys = [k for k in model.state_dict() if not k.endswith('num_batches_tracked')]
    out[name] = {
        'timm': timm.__version__,
        'params': sum(p.numel() for p in model.parameters()),
        'modules': sorted({k.rsplit('.', 1)[0] for k in keys}),
    }
json.dump(out, sys.stdout, indent=1)
sys.stdout.write('\n')
