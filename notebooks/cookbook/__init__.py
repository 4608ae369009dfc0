"""Helper package shared by the Deep Learning Cookbook notebooks.

The notebook is where a recipe's idea lives (its model's layers, compile and fit); this package
holds the plumbing that several chapters or the tests reuse. Its layout follows the concerns:

Core
    :mod:`~cookbook.paths` (where things live), :mod:`~cookbook.env` (version checks, seeds, quiet
    logs), :mod:`~cookbook.modes` (the smoke/full switch), :mod:`~cookbook.acquire` (named data with
    cache -> mirror -> online -> registry sources), :mod:`~cookbook.datasets` (the registry and the
    loaders), :mod:`~cookbook.zoo` (trained models with JSON cards), :mod:`~cookbook.metrics`,
    :mod:`~cookbook.credentials`, :mod:`~cookbook.training` (the one fit loop: time budget, early
    stopping), :mod:`~cookbook.plots`, :mod:`~cookbook.runner` (headless execution, reference
    outputs), :mod:`~cookbook.preprocessing` (ch. 1) and :mod:`~cookbook.diagnostics` (ch. 2).
:mod:`cookbook.text`
    the tokenizer and vocabulary, and the text chapters' plumbing (chapters 3-8).
:mod:`cookbook.online`
    real clients for the book's online sources (Wikipedia, Gutenberg, Flickr, X, ...).
:mod:`cookbook.fixtures`
    local stand-in servers with real-format samples for those clients, used offline and in tests.

:mod:`cookbook.vision`
    image models: the offline pretrained backbone, embeddings and search, detection, and images
    optimised through the network (chapters 9-12).
:mod:`cookbook.generative`
    autoencoders, VAEs and GANs, and the icon data they learn from (chapters 13-14).

Chapters 15-16 add ``audio/`` and ``serving/``.
"""

__version__ = "0.1.0"

import sys as _sys

if "ipykernel" in _sys.modules:  # in a notebook, load TensorFlow before anything else can, quietly
    from . import env as _env

    _env.quiet_tensorflow()
