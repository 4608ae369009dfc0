"""Chapter 6 (question matching): offline question/answer data from registry packages.

The book trains on a Stack Exchange dump (see cookbook.online.stackexchange for that online
path). Without internet we use two real Q&A collections:

* chatterbot-corpus (PyPI): English dialogue YAML files, each conversation a prompt followed by
  replies (general knowledge, computers, science, history, ...).
* the Python FAQ (Debian python3.11-doc): the reStructuredText sources of docs.python.org/faq,
  ~200 technical questions with long answers, the closest thing to Stack Overflow we found.
"""

from ..acquire import Debian, Resource, register

CHATTERBOT_VERSION = "1.3.3"


# Debian bookworm's python3.11-doc; any 3.11 revision has the same FAQ, so the version is left
# open ("*") rather than pinned to a security update that the archive will later replace.
register(Resource(
    name="python-faq-rst", filename="faq", sha256=None,
    description="Python 3.11 FAQ, reStructuredText sources (docs.python.org/3.11/faq)",
    license="PSF-2.0 (Python documentation)",
    sources=(Debian("python3.11-doc", "*", "usr/share/doc/python3.11/html/_sources/faq/"),)))
