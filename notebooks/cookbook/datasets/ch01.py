"""Chapter 1 resources: a real OpenStreetMap extract. (The chapter also uses the book
repository's cat photo and tweets and gensim's Wikipedia dump excerpt, registered in common.py,
and scikit-learn's bundled digits, which need no acquisition.)"""

from ..acquire import Installed, PyPI, Resource, register

PYOGRIO_VERSION = "0.13.0"

OSM_SAMPLE = register(Resource(
    name="osm-sample-pbf", filename="sample.osm.pbf",
    sha256="40a25059d31a82521dcf49e3f1c9df385f1759b574d9bb1ca4ea37db91416992", size_bytes=9653,
    description="real OpenStreetMap PBF extract (Hatfield, England; OSM-binary's sample.pbf)",
    license="ODbL-1.0 (OpenStreetMap contributors)",
    sources=(Installed("pyogrio", "tests/fixtures/sample.osm.pbf"),
             PyPI("pyogrio", PYOGRIO_VERSION, "pyogrio/tests/fixtures/sample.osm.pbf"))))
