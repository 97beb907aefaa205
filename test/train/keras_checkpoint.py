"""Keras' own ModelCheckpoint as the oracle of netspec's best.ckpt and snapshot names.

Reads cases from stdin: [{filepath, monitor, mode, best_only, history: [{epoch, loss, ...}]}]. For each, a fresh
ModelCheckpoint(save_weights_only=True) on a two-weight model gets on_epoch_end(epoch - 1, logs) for every epoch of
the history, as fit() would call it; prints, per case, the sorted names of the files it wrote.
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
model.compile(loss="mse", metrics=["accuracy"])
# Builds the compiled metrics, whose direction ModelCheckpoint's mode="auto" reads.
model.evaluate(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)
written = []
for case in json.load(sys.stdin):
    folder = tempfile.mkdtemp()
    callback = keras.callbacks.ModelCheckpoint(os.path.join(folder, case["filepath"]), monitor=case["monitor"], mode=case["mode"],
                                               save_best_only=case["best_only"], save_weights_only=True, verbose=0)
    callback.set_model(model)
    for logs in case["history"]:
        callback.on_epoch_end(logs["epoch"] - 1, {k: float(v) for k, v in logs.items() if k != "epoch"})
    written.append(sorted(os.listdir(folder)))
print(json.dumps(written))
