"""Helper package shared by the Deep Learning Cookbook notebooks.

Modules map to concerns:

* :mod:`cookbook.paths`        where data, intermediates, models and caches live
* :mod:`cookbook.modes`        the smoke/full run-mode switch and per-mode sizes
* :mod:`cookbook.acquire`      named datasets/models with cache -> mirror -> online -> registry sources
* :mod:`cookbook.datasets`     the registry of named resources used by the notebooks
* :mod:`cookbook.zoo`          saving/loading trained models with a JSON model card
* :mod:`cookbook.metrics`      per-notebook results written to ``generated/metrics/NN.json``
* :mod:`cookbook.credentials`  optional API keys from the environment or a git-ignored file
* :mod:`cookbook.loopback`     a local HTTP server that serves real-format samples to the online code paths
* :mod:`cookbook.online`       clients for the book's online sources (Gutenberg, Wikipedia, ...)
"""

__version__ = "0.1.0"
