"""A GAN as one ``keras.Model`` with its own ``train_step`` (recipes 14.5–14.7).

The generator and discriminator are built in the notebook; this class only alternates their
updates: the discriminator learns real → 1, fake → 0; the generator learns to make the
discriminator say 1 for its fakes. It logs both losses and the mean D(real), D(fake)."""

from __future__ import annotations

import keras
from keras import ops


class GAN(keras.Model):
    def __init__(self, generator, discriminator, latent_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.bce = keras.losses.BinaryCrossentropy()
        self.noise_seed = keras.random.SeedGenerator(1337)
        self.trackers = {k: keras.metrics.Mean(name=k)
                         for k in ("d_loss", "g_loss", "d_real", "d_fake")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def train_step(self, real):
        import tensorflow as tf

        if isinstance(real, tuple):
            real = real[0]
        n = ops.shape(real)[0]
        z = keras.random.normal((n, self.latent_dim), seed=self.noise_seed)
        with tf.GradientTape() as tape:
            fake = self.generator(z, training=True)
            p_real = self.discriminator(real, training=True)
            p_fake = self.discriminator(fake, training=True)
            d_loss = (self.bce(ops.ones_like(p_real) * 0.9, p_real)  # one-sided label smoothing
                      + self.bce(ops.zeros_like(p_fake), p_fake))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        z = keras.random.normal((n, self.latent_dim), seed=self.noise_seed)
        with tf.GradientTape() as tape:
            p_fake2 = self.discriminator(self.generator(z, training=True), training=True)
            g_loss = self.bce(ops.ones_like(p_fake2), p_fake2)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        for k, v in (("d_loss", d_loss), ("g_loss", g_loss),
                     ("d_real", ops.mean(p_real)), ("d_fake", ops.mean(p_fake))):
            self.trackers[k].update_state(v)
        return {k: t.result() for k, t in self.trackers.items()}


def save_to_zoo(generator, discriminator, *, history: dict, seconds: float, steps_per_epoch: int,
                data: dict, metrics: dict | None = None, baseline: dict | None = None, **extra):
    """Write the generator and the discriminator to ``zoo/14/`` (``icon_gan_generator`` and
    ``icon_gan_discriminator``), each with a card holding the per-epoch history."""
    from .. import zoo

    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    last = {f"final_{k}": vals[-1] for k, vals in history.items()}
    paths = []
    for part, net in (("generator", generator), ("discriminator", discriminator)):
        name = f"icon_gan_{part}"
        card = zoo.make_card(chapter=14, recipe="14.6", model=name, mode="full", data=data,
                             epochs=len(history["d_loss"]), seconds=seconds,
                             metrics={**last, **(metrics or {})}, baseline=baseline,
                             steps_per_epoch=steps_per_epoch, history=history, **extra)
        paths.append(zoo.save_keras(net, 14, name, card))
    return paths
