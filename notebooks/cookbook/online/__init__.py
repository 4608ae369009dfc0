"""Clients for the book's online sources. Each takes a ``base_url`` so the same code runs against
the real service (default) or its local stand-in (``cookbook.fixtures.standin(service, ...)``),
which serves real-format samples. Nothing here imports :mod:`cookbook.fixtures`."""

# One identity for every request the project makes: several services (Wikidata's query service,
# Wikipedia's API) reject or throttle requests without a descriptive User-Agent.
USER_AGENT = "dl-cookbook-notebooks/0.1 (educational use)"
