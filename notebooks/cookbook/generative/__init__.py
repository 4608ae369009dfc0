"""Generative models for chapters 13-14: the (conditional) VAE, digit loading, icons, GANs."""
