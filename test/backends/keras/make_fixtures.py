"""Weight files written by real Keras, for netspec's Keras-weights tests.

Usage: python make_fixtures.py OUT_DIR

For each model it writes, with seeded random weights (batch-norm statistics randomised too, so a swapped
gamma/beta/mean/variance cannot go unnoticed):
  <model>.keras          Keras 3 archive (config.json + model.weights.h5)
  <model>.weights.h5     Keras 3 weights-only file
  <model>.h5             Keras 2 whole-model HDF5 (model_weights/ with layer_names/weight_names)
  <model>.legacy.h5      Keras 2 weights-only HDF5, the layout of the keras.applications downloads
  <model>.tf2.h5         the same with weight names as tf.keras 2.x wrote them (`conv1_conv/kernel:0`): Keras 2
                         itself cannot be installed beside Keras 3, so h5py renames Keras 3's legacy file
  <model>.input.f32 / <model>.output.f32 / <model>.json   a fixed input, Keras' own predictions, shapes
"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402
from keras.src.legacy.saving import legacy_h5_format  # noqa: E402


def keras_resnet50():
    return keras.applications.ResNet50(weights=None)


# The Keras CIFAR-10 example (keras-team/keras examples, cifar10_resnet.py), as written there.
def resnet_layer(inputs, num_filters=16, kernel_size=3, strides=1, activation="relu", batch_normalization=True,
                 conv_first=True):
    conv = layers.Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
                         kernel_initializer="he_normal", kernel_regularizer=keras.regularizers.l2(1e-4))
    x = inputs
    if conv_first:
        x = conv(x)
        if batch_normalization:
            x = layers.BatchNormalization()(x)
        if activation is not None:
            x = layers.Activation(activation)(x)
    else:
        if batch_normalization:
            x = layers.BatchNormalization()(x)
        if activation is not None:
            x = layers.Activation(activation)(x)
        x = conv(x)
    return x


def resnet_v1(input_shape, depth, num_classes=10):
    num_filters = 16
    num_res_blocks = int((depth - 2) / 6)
    inputs = keras.Input(shape=input_shape)
    x = resnet_layer(inputs=inputs)
    for stack in range(3):
        for res_block in range(num_res_blocks):
            strides = 1
            if stack > 0 and res_block == 0:
                strides = 2
            y = resnet_layer(inputs=x, num_filters=num_filters, strides=strides)
            y = resnet_layer(inputs=y, num_filters=num_filters, activation=None)
            if stack > 0 and res_block == 0:
                x = resnet_layer(inputs=x, num_filters=num_filters, kernel_size=1, strides=strides, activation=None,
                                 batch_normalization=False)
            x = layers.add([x, y])
            x = layers.Activation("relu")(x)
        num_filters *= 2
    x = layers.AveragePooling2D(pool_size=8)(x)
    y = layers.Flatten()(x)
    outputs = layers.Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(y)
    return keras.Model(inputs=inputs, outputs=outputs)


def resnet_v2(input_shape, depth, num_classes=10):
    num_filters_in = 16
    num_res_blocks = int((depth - 2) / 9)
    inputs = keras.Input(shape=input_shape)
    x = resnet_layer(inputs=inputs, num_filters=num_filters_in, conv_first=True)
    for stage in range(3):
        for res_block in range(num_res_blocks):
            activation = "relu"
            batch_normalization = True
            strides = 1
            if stage == 0:
                num_filters_out = num_filters_in * 4
                if res_block == 0:
                    activation = None
                    batch_normalization = False
            else:
                num_filters_out = num_filters_in * 2
                if res_block == 0:
                    strides = 2
            y = resnet_layer(inputs=x, num_filters=num_filters_in, kernel_size=1, strides=strides,
                             activation=activation, batch_normalization=batch_normalization, conv_first=False)
            y = resnet_layer(inputs=y, num_filters=num_filters_in, conv_first=False)
            y = resnet_layer(inputs=y, num_filters=num_filters_out, kernel_size=1, conv_first=False)
            if res_block == 0:
                x = resnet_layer(inputs=x, num_filters=num_filters_out, kernel_size=1, strides=strides,
                                 activation=None, batch_normalization=False)
            x = layers.add([x, y])
        num_filters_in = num_filters_out
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.AveragePooling2D(pool_size=8)(x)
    y = layers.Flatten()(x)
    outputs = layers.Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(y)
    return keras.Model(inputs=inputs, outputs=outputs)


# The deeplearning.ai Residual Networks assignment's ResNet-50 (64×64 SIGNS images, 6 classes), with its
# Caffe-style layer names. Its stem max-pool has no padding, which a netspec spec cannot say yet.
def identity_block(X, f, filters, stage, block):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    X_shortcut = X
    X = layers.Conv2D(F1, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2a")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2a")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F2, (f, f), strides=(1, 1), padding="same", name=conv_name_base + "2b")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2b")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F3, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2c")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    X = layers.Add()([X, X_shortcut])
    return layers.Activation("relu")(X)


def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    X_shortcut = X
    X = layers.Conv2D(F1, (1, 1), strides=(s, s), padding="valid", name=conv_name_base + "2a")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2a")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F2, (f, f), strides=(1, 1), padding="same", name=conv_name_base + "2b")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2b")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F3, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2c")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    X_shortcut = layers.Conv2D(F3, (1, 1), strides=(s, s), padding="valid", name=conv_name_base + "1")(X_shortcut)
    X_shortcut = layers.BatchNormalization(axis=3, name=bn_name_base + "1")(X_shortcut)
    X = layers.Add()([X, X_shortcut])
    return layers.Activation("relu")(X)


def dlai_resnet50(input_shape=(64, 64, 3), classes=6):
    X_input = keras.Input(input_shape)
    X = layers.ZeroPadding2D((3, 3))(X_input)
    X = layers.Conv2D(64, (7, 7), strides=(2, 2), name="conv1")(X)
    X = layers.BatchNormalization(axis=3, name="bn_conv1")(X)
    X = layers.Activation("relu")(X)
    X = layers.MaxPooling2D((3, 3), strides=(2, 2))(X)
    X = convolutional_block(X, f=3, filters=[64, 64, 256], stage=2, block="a", s=1)
    X = identity_block(X, 3, [64, 64, 256], stage=2, block="b")
    X = identity_block(X, 3, [64, 64, 256], stage=2, block="c")
    X = convolutional_block(X, f=3, filters=[128, 128, 512], stage=3, block="a", s=2)
    for b in "bcd":
        X = identity_block(X, 3, [128, 128, 512], stage=3, block=b)
    X = convolutional_block(X, f=3, filters=[256, 256, 1024], stage=4, block="a", s=2)
    for b in "bcdef":
        X = identity_block(X, 3, [256, 256, 1024], stage=4, block=b)
    X = convolutional_block(X, f=3, filters=[512, 512, 2048], stage=5, block="a", s=2)
    X = identity_block(X, 3, [512, 512, 2048], stage=5, block="b")
    X = identity_block(X, 3, [512, 512, 2048], stage=5, block="c")
    X = layers.AveragePooling2D((2, 2), name="avg_pool")(X)
    X = layers.Flatten()(X)
    X = layers.Dense(classes, activation="softmax", name="fc" + str(classes))(X)
    return keras.Model(inputs=X_input, outputs=X, name="ResNet50")


MODELS = {
    "dlai_resnet50": (dlai_resnet50, (64, 64, 3)),
    "resnet50": (keras_resnet50, (224, 224, 3)),
    "resnet_v1": (lambda: resnet_v1((32, 32, 3), 20), (32, 32, 3)),
    "resnet_v2": (lambda: resnet_v2((32, 32, 3), 29), (32, 32, 3)),
    # A model used as a layer of another: its weights sit one level down in every layout.
    "resnet_v1_nested": (lambda: keras.Sequential([keras.Input((32, 32, 3)), resnet_v1((32, 32, 3), 20)]), (32, 32, 3)),
}


def randomise_batch_norm(model, rng):
    """Keras initialises gamma=1, beta=0, mean=0, variance=1: a file with those swapped would still pass."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            randomise_batch_norm(layer, rng)
        elif isinstance(layer, layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([
                rng.uniform(0.3, 0.8, c).astype("float32"),
                rng.normal(0, 0.1, c).astype("float32"),
                rng.normal(0, 0.1, c).astype("float32"),
                rng.uniform(0.5, 1.5, c).astype("float32"),
            ])
        elif isinstance(layer, (layers.Conv2D, layers.Dense)) and layer.use_bias:
            kernel, bias = layer.get_weights()
            layer.set_weights([kernel, rng.normal(0, 0.05, bias.shape).astype("float32")])


def tf2_names(src, dst):
    """tf.keras 2.x named a weight by its variable, `layer/kernel:0`, and stored it at that path in the layer group."""
    with h5py.File(src, "r") as f, h5py.File(dst, "w") as g:
        for key, value in f.attrs.items():
            g.attrs[key] = value
        g.attrs["keras_version"] = b"2.15.0"
        g.attrs["backend"] = b"tensorflow"
        for name in f.attrs["layer_names"]:
            name = name.decode() if isinstance(name, bytes) else name
            group = g.create_group(name)
            renamed = []
            for weight in f[name].attrs["weight_names"]:
                weight = weight.decode() if isinstance(weight, bytes) else weight
                group.create_dataset(f"{weight}:0", data=f[name][weight][()])
                renamed.append(f"{weight}:0".encode())
            group.attrs["weight_names"] = renamed


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, (build, shape) in MODELS.items():
        keras.utils.set_random_seed(0)
        model = build()
        randomise_batch_norm(model, np.random.default_rng(1))
        x = np.random.default_rng(2).uniform(0, 1, (2, *shape)).astype("float32")
        y = np.asarray(model.predict(x, verbose=0), dtype="float32")
        model.save(os.path.join(out, f"{name}.keras"))
        model.save_weights(os.path.join(out, f"{name}.weights.h5"))
        legacy_h5_format.save_model_to_hdf5(model, os.path.join(out, f"{name}.h5"))
        with h5py.File(os.path.join(out, f"{name}.legacy.h5"), "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        tf2_names(os.path.join(out, f"{name}.legacy.h5"), os.path.join(out, f"{name}.tf2.h5"))
        x.tofile(os.path.join(out, f"{name}.input.f32"))
        y.tofile(os.path.join(out, f"{name}.output.f32"))
        with open(os.path.join(out, f"{name}.json"), "w") as f:
            json.dump({"input": list(x.shape), "output": list(y.shape), "keras": keras.__version__,
                       "layers": [layer.name for layer in model.layers if layer.weights],
                       # Per weight, its sum in float64: where each tensor must land, told apart from its neighbours.
                       "sums": {f"{layer.name}/{i}": float(np.asarray(w, dtype="float64").sum())
                                for layer in model.layers for i, w in enumerate(layer.get_weights())}}, f)
    with open(os.path.join(out, "done"), "w") as f:
        f.write(keras.__version__)


if __name__ == "__main__":
    main(sys.argv[1])
