"""Images -> vectors with a pretrained network, batched.

Calling ``model.predict`` once per image spends most of its time on per-call overhead (about
110 ms for a 20 ms network on two cores). :class:`Embedder` instead traces the network once as a
``tf.function`` and feeds it fixed-size batches; the benchmark ``benchmarks/ch09_embedding.py``
measures the difference.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np


def feature_model(model, layer: str = "avg_pool"):
    """The part of ``model`` from its input to ``layer``'s output (e.g. the 1,280-d pooled
    features of EfficientNet-Lite0, or VGG16's ``fc2``)."""
    import keras

    return keras.Model(model.inputs, model.get_layer(layer).output, name=f"{model.name}_{layer}")


class Embedder:
    """``Embedder(model, preprocess)(images)`` -> one row per image (float32).

    ``images`` is an array (n, h, w, 3) of uint8 RGB already at the network's input size, or an
    iterable of such arrays; ``preprocess`` maps uint8 batches to the network's input scale.
    """

    def __init__(self, model, preprocess: Callable[[np.ndarray], np.ndarray],
                 batch_size: int = 32):
        import tensorflow as tf

        self.model, self.preprocess, self.batch_size = model, preprocess, batch_size
        self._forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)

    @property
    def dim(self) -> int:
        return int(self.model.output.shape[-1])

    def __call__(self, images: np.ndarray | Iterable[np.ndarray], progress: str | None = None
                 ) -> np.ndarray:
        images = images if isinstance(images, np.ndarray) else np.stack(list(images))
        if len(images) == 0:
            return np.zeros((0, self.dim), np.float32)
        starts = range(0, len(images), self.batch_size)
        if progress:
            from ..acquire import track

            starts = track(starts, progress, unit="batch")
        out = []
        for start in starts:
            batch = self.preprocess(images[start:start + self.batch_size])
            out.append(np.asarray(self._forward(batch)))
        return np.concatenate(out).astype(np.float32)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
