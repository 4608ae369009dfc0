"""Clients for the book's online sources. Each takes a ``base_url`` so the same code runs against
the real service (default) or a :mod:`cookbook.loopback` server holding real-format samples."""
