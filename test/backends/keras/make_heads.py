"""The Keras transfer-learning recipe, built by real Keras, for netspec's head.layers / stem.resize tests.

Usage: python make_heads.py OUT_DIR

  recipe224.json   the recipe as written for CIFAR-10 (32x32 upsampled 7x to ResNet50's 224x224): every layer's
                   name, class, output shape and parameter count, and the model's totals. No weights.
  recipe64.*       the same recipe upsampled 2x (64x64, so the file stays small) with seeded random weights (BN
                   statistics too): .weights.h5 (Keras 3), .input.f32 / .output.f32 (Keras' own predictions), .json
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402


def recipe(factor, classes=10):
    """ResNet50(include_top=False) on an UpSampling2D of the 32x32 input, then the recipe's head, layers unnamed."""
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.UpSampling2D(size=(factor, factor))(inputs)
    base = keras.applications.ResNet50(include_top=False, weights=None, input_tensor=x)
    x = layers.Flatten()(base.output)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dense(64, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    x = layers.BatchNormalization()(x)
    outputs = layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def summary(model):
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = model.count_params()
    return {
        "keras": keras.__version__,
        "total": total, "trainable": trainable, "non_trainable": total - trainable,
        "layers": [{"name": layer.name, "class": layer.__class__.__name__, "shape": list(layer.output.shape[1:]),
                    "params": layer.count_params()} for layer in model.layers],
    }


def randomise(model, rng):
    """Keras starts BN at gamma=1, beta=0, mean=0, variance=1 and biases at 0: swapped tensors would not show."""
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.3, 0.8, c).astype("float32"), rng.normal(0, 0.1, c).astype("float32"),
                               rng.normal(0, 0.1, c).astype("float32"), rng.uniform(0.5, 1.5, c).astype("float32")])
        elif isinstance(layer, (layers.Conv2D, layers.Dense)) and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.05, bias.shape).astype("float32")])


def main(out):
    os.makedirs(out, exist_ok=True)
    keras.utils.clear_session()
    with open(os.path.join(out, "recipe224.json"), "w") as f:
        json.dump(summary(recipe(7)), f)
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)
    model = recipe(2)
    randomise(model, np.random.default_rng(1))
    x = np.random.default_rng(2).uniform(0, 1, (2, 32, 32, 3)).astype("float32")
    y = np.asarray(model.predict(x, verbose=0), dtype="float32")
    model.save_weights(os.path.join(out, "recipe64.weights.h5"))
    x.tofile(os.path.join(out, "recipe64.input.f32"))
    y.tofile(os.path.join(out, "recipe64.output.f32"))
    with open(os.path.join(out, "recipe64.json"), "w") as f:
        json.dump({**summary(model), "input": list(x.shape), "output": list(y.shape)}, f)
    with open(os.path.join(out, "done"), "w") as f:
        f.write(keras.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
