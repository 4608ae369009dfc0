"""A variational autoencoder as one ``keras.Model`` with its own ``train_step`` (recipes 13.4-13.6).

The encoder and decoder are built in the notebook. The encoder maps an image to
``(z_mean, z_log_var)``; ``Sampling`` draws ``z = mean + exp(log_var / 2) * eps``; the decoder maps
``z`` back to per-pixel probabilities. The loss is the per-pixel binary cross-entropy summed over
the pixels (averaged over the batch) plus ``beta`` times the KL divergence to N(0, I).

``ConditionalVAE`` feeds the one-hot label to both halves: ``encoder([x, y])`` and
``decoder([z, y])``; data come as ``(x, y_onehot)`` pairs."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="cookbook")
class Sampling(keras.layers.Layer):
    """z = z_mean + exp(z_log_var / 2) * eps, eps ~ N(0, I)."""

    def __init__(self, seed: int = 1337, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def reconstruction_loss(x, x_hat):
    """Binary cross-entropy per pixel, summed over all pixels, averaged over the batch."""
    x = ops.reshape(ops.cast(x, x_hat.dtype), (ops.shape(x)[0], -1))
    x_hat = ops.clip(ops.reshape(x_hat, (ops.shape(x_hat)[0], -1)), 1e-7, 1 - 1e-7)
    bce = -(x * ops.log(x_hat) + (1 - x) * ops.log(1 - x_hat))
    return ops.mean(ops.sum(bce, axis=1))


def kl_loss(z_mean, z_log_var):
    """KL(N(mean, var) || N(0, I)) summed over latent dimensions, averaged over the batch."""
    kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
    return ops.mean(ops.sum(kl, axis=1))


@keras.saving.register_keras_serializable(package="cookbook")
class VAE(keras.Model):
    def __init__(self, encoder, decoder, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.sampling = Sampling()
        self.trackers = {k: keras.metrics.Mean(name=k)
                         for k in ("loss", "reconstruction_loss", "kl_loss")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    # -- the pieces a subclass (the conditional VAE) overrides
    def _split(self, data):
        if isinstance(data, (tuple, list)):
            data = data[0]
        return data, None

    def _encode(self, x, y, training=False):
        return self.encoder(x, training=training)

    def _decode(self, z, y, training=False):
        return self.decoder(z, training=training)

    def call(self, inputs, training=False):
        x, y = self._split(inputs)
        z_mean, z_log_var = self._encode(x, y, training=training)
        return self._decode(self.sampling([z_mean, z_log_var]), y, training=training)

    def compute_losses(self, data, training=False):
        x, y = self._split(data)
        z_mean, z_log_var = self._encode(x, y, training=training)
        z = self.sampling([z_mean, z_log_var])
        x_hat = self._decode(z, y, training=training)
        rec = reconstruction_loss(x, x_hat)
        kl = kl_loss(z_mean, z_log_var)
        return rec + self.beta * kl, rec, kl

    def _report(self, total, rec, kl):
        for key, value in zip(("loss", "reconstruction_loss", "kl_loss"), (total, rec, kl)):
            self.trackers[key].update_state(value)
        return {k: t.result() for k, t in self.trackers.items()}

    def train_step(self, data):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            total, rec, kl = self.compute_losses(data, training=True)
        weights = self.trainable_weights
        grads = tape.gradient(total, weights)
        self.optimizer.apply_gradients(zip(grads, weights))
        return self._report(total, rec, kl)

    def test_step(self, data):
        return self._report(*self.compute_losses(data, training=False))

    def get_config(self):
        return {**super().get_config(), "beta": self.beta,
                "encoder": keras.saving.serialize_keras_object(self.encoder),
                "decoder": keras.saving.serialize_keras_object(self.decoder)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        encoder = keras.saving.deserialize_keras_object(config.pop("encoder"))
        decoder = keras.saving.deserialize_keras_object(config.pop("decoder"))
        return cls(encoder, decoder, **config)


@keras.saving.register_keras_serializable(package="cookbook")
class ConditionalVAE(VAE):
    """Encoder takes ``[x, y_onehot]``, decoder ``[z, y_onehot]``; data are ``(x, y_onehot)``."""

    def _split(self, data):
        if len(data) == 1:  # validation_data=((x, y),)
            data = data[0]
        return data[0], data[1]

    def _encode(self, x, y, training=False):
        return self.encoder([x, y], training=training)

    def _decode(self, z, y, training=False):
        return self.decoder([z, y], training=training)

    def generate(self, labels_onehot, z=None, seed: int = 0):
        """Decode samples for the given one-hot labels (z ~ N(0, I) unless given)."""
        import numpy as np

        labels_onehot = np.asarray(labels_onehot, dtype="float32")
        if z is None:
            latent = self.decoder.inputs[0].shape[-1]
            z = np.random.default_rng(seed).standard_normal((len(labels_onehot), latent))
        return keras.ops.convert_to_numpy(
            self.decoder([np.asarray(z, "float32"), labels_onehot], training=False))


def bundle(vae: VAE, name: str) -> keras.Model:
    """The trained encoder and decoder of ``vae`` in one plain functional model, for the zoo:
    ``inputs -> [decoder(z_mean), z_mean, z_log_var]``. It holds only standard layers, so it
    loads anywhere without this module; :func:`unbundle` rebuilds the (conditional) VAE."""
    conditional = isinstance(vae, ConditionalVAE)
    inputs = [keras.Input(t.shape[1:], name=f"in_{i}") for i, t in enumerate(vae.encoder.inputs)]
    z_mean, z_log_var = vae.encoder(inputs if conditional else inputs[0])
    x_hat = vae.decoder([z_mean, inputs[1]] if conditional else z_mean)
    return keras.Model(inputs if conditional else inputs[0], [x_hat, z_mean, z_log_var], name=name)


def unbundle(model: keras.Model, beta: float = 1.0) -> VAE:
    """The (conditional) VAE whose encoder and decoder :func:`bundle` packed into ``model``
    (a conditional one when the bundle has two inputs)."""
    encoder, decoder = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    cls = ConditionalVAE if len(model.inputs) > 1 else VAE
    return cls(encoder, decoder, beta=beta)


def save_to_zoo(vae: VAE, chapter: int, name: str, *, recipe: str, data: dict, epochs: int,
                seconds: float, history: dict, metrics: dict, baseline: dict, **extra):
    """Write ``vae`` (as :func:`bundle`) and its card, with the training history, to the zoo."""
    from .. import zoo

    card = zoo.make_card(chapter=chapter, recipe=recipe, model=name, mode="full", data=data,
                         epochs=epochs, seconds=seconds, metrics=metrics, baseline=baseline,
                         beta=vae.beta, history=history, **extra)
    return zoo.save_keras(bundle(vae, name), chapter, name, card)


def load_from_zoo(chapter: int, name: str, learning_rate: float = 1e-3, **expect):
    """``(vae, card)``: the zoo bundle ``name`` rebuilt as a (conditional) VAE, compiled with Adam
    so that ``evaluate`` reports its loss terms; ``expect`` are card entries to check."""
    from .. import zoo

    model, card = zoo.load_keras(chapter, name, expect=expect)
    vae = unbundle(model, beta=card.get("beta", 1.0))
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return vae, card
