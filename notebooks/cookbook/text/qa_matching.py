"""Question/answer matching (chapter 6): the plumbing around the notebook's matcher.

Load real Q&A pairs and split them by question; the ``MaskedSum`` layer and per-word IDF weights
the notebook's model uses (``custom_objects()`` reads a saved one); true-versus-random pair
batches for training; a callback that keeps the epoch that ranks validation answers best; and
the ranking metrics and baselines of recipe 6.6. The model itself (embedding, sum, cosine) is
defined in the notebook.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

# --------------------------------------------------------------------------------------------
# loading real Q&A pairs


def load_chatterbot_pairs(folder: str | Path) -> list[dict]:
    """One pair per chatterbot conversation: its opening line and the reply that follows.
    (Later lines are either further dialogue turns or alternative replies, so only the first
    reply plays the role of the accepted answer.)"""
    import yaml

    pairs = []
    for path in sorted(Path(folder).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for conversation in data.get("conversations") or []:
            if len(conversation) >= 2:
                pairs.append({"question": str(conversation[0]).strip(),
                              "answer": str(conversation[1]).strip(),
                              "source": "chatterbot", "category": path.stem})
    return pairs


_UNDERLINE = re.compile(r"^([=\-^~*+#\"'`])\1{2,}\s*$")


def load_python_faq_pairs(folder: str | Path) -> list[dict]:
    """Every FAQ heading that asks something (ends with '?') and the text up to the next
    heading, with reStructuredText markup reduced to plain words."""
    pairs = []
    for path in sorted(Path(folder).glob("*.rst.txt")):
        if path.name.startswith("index"):
            continue
        for title, body in _rst_sections(path.read_text(encoding="utf-8")):
            answer = rst_to_text(body)
            if title.endswith("?") and answer:
                pairs.append({"question": title, "answer": answer,
                              "source": "python-faq", "category": path.name.split(".")[0]})
    return pairs


def _rst_sections(text: str) -> Iterable[tuple[str, str]]:
    """Yield (heading, body) for each section; a heading is a line underlined by a run of one
    punctuation character at least as long as the heading."""
    lines = text.splitlines()
    heads = [i for i in range(len(lines) - 1)
             if lines[i].strip() and not _UNDERLINE.match(lines[i])
             and _UNDERLINE.match(lines[i + 1]) and len(lines[i + 1].strip()) >= len(lines[i].strip())]
    for n, i in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        body = [line for line in lines[i + 2:end] if not _UNDERLINE.match(line)]
        yield lines[i].strip(), "\n".join(body)


_ROLE = re.compile(r":[a-z:]+:`~?!?([^`<]*?)(?:\s*<[^>]*>)?`")    # :func:`len` -> len
_LINK = re.compile(r"`([^`<]+?)\s*<[^>]*>`_+")                     # `text <url>`_ -> text
_LITERAL = re.compile(r"``([^`]+)``")
_DIRECTIVE = re.compile(r"^\s*\.\. .*$", re.MULTILINE)
_OPTION = re.compile(r"^\s+:[a-z-]+:.*$", re.MULTILINE)


def rst_to_text(text: str) -> str:
    text = _DIRECTIVE.sub(" ", text)
    text = _OPTION.sub(" ", text)
    text = _ROLE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    text = text.replace("`", "").replace("::", ":")
    return re.sub(r"\s+", " ", text).strip()


def pairs_frame(pairs: Sequence[dict]):
    """A DataFrame of the pairs with one row per distinct question (the first one wins; the
    chatterbot files repeat a few greetings) and an integer id."""
    import pandas as pd

    df = pd.DataFrame.from_records(list(pairs))
    df = df[(df["question"].str.len() > 0) & (df["answer"].str.len() > 0)]
    key = df["question"].str.lower().str.strip()
    df = df[~key.duplicated()].reset_index(drop=True)
    df.insert(0, "id", np.arange(len(df)))
    df["question_words"] = df["question"].str.split().str.len()
    df["answer_words"] = df["answer"].str.split().str.len()
    return df


def split_questions(df, test_fraction: float, seed: int = 0):
    """Hold out whole questions (rows), stratified by source so both sets see both corpora."""
    rng = np.random.default_rng(seed)
    test_mask = np.zeros(len(df), dtype=bool)
    for _, index in df.groupby("source").indices.items():
        chosen = rng.choice(index, size=max(1, int(round(len(index) * test_fraction))), replace=False)
        test_mask[chosen] = True
    return df[~test_mask].reset_index(drop=True), df[test_mask].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# model plumbing (the matcher itself is built in the notebook)


def _register():
    import keras

    @keras.saving.register_keras_serializable(package="cookbook")
    class MaskedSum(keras.layers.Layer):
        """Sum word vectors over time, skipping padding. A plain Lambda(sum) ignores the mask,
        so the (trainable, non-zero) padding vector would leak into every text's sum."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            if mask is not None:
                inputs = inputs * keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)
            return keras.ops.sum(inputs, axis=1)

        def compute_mask(self, inputs, mask=None):
            return None

        def compute_output_shape(self, input_shape):
            return (input_shape[0], input_shape[2])

    return MaskedSum


_MASKED_SUM = None


def masked_sum_layer(**kwargs):
    global _MASKED_SUM
    if _MASKED_SUM is None:
        _MASKED_SUM = _register()
    return _MASKED_SUM(**kwargs)


def custom_objects() -> dict:
    """What ``keras.models.load_model`` needs to read a saved matcher."""
    masked_sum_layer()
    return {"cookbook>MaskedSum": _MASKED_SUM}


def __getattr__(name: str):
    # ``qm.MaskedSum`` is the layer class, registered (and keras imported) on first use
    if name == "MaskedSum":
        masked_sum_layer()
        return _MASKED_SUM
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def word_idf(vectorizer, texts: Sequence[str]) -> np.ndarray:
    """Inverse document frequency of every vocabulary id, smoothed as scikit-learn does:
    log((1 + n) / (1 + df)) + 1. Padding (id 0) gets 0; unknown words (id 1) get 1."""
    ids = np.asarray(vectorizer(np.asarray(list(texts), dtype=object)))
    doc_freq = np.zeros(vectorizer.vocabulary_size())
    for row in ids:
        doc_freq[np.unique(row)] += 1
    idf = np.log((1 + len(ids)) / (1 + doc_freq)) + 1
    idf[0], idf[1] = 0.0, 1.0
    return idf.astype("float32")


def encoder_of(matcher):
    """The text encoder inside a (possibly loaded) matcher."""
    return matcher.get_layer("text_encoder")


# --------------------------------------------------------------------------------------------
# training data from a DataFrame


def make_pair_dataset(df, batch_size: int, negatives: int = 1, seed: int = 0):
    """A keras PyDataset over ``df`` (columns question, answer): every question appears once
    per epoch with its own answer (label 1) and ``negatives`` answers of other questions
    (label 0), drawn afresh each epoch so the model cannot memorize fixed negatives."""
    import keras
    import tensorflow as tf

    class PairBatches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.questions = df["question"].to_numpy(dtype=object)
            self.answers = df["answer"].to_numpy(dtype=object)
            self.rng = np.random.default_rng(seed)
            self.per_batch = max(1, batch_size // (1 + negatives))
            self.on_epoch_end()

        def __len__(self):
            return int(np.ceil(len(self.questions) / self.per_batch))

        def on_epoch_end(self):
            self.order = self.rng.permutation(len(self.questions))

        def __getitem__(self, index):
            rows = self.order[index * self.per_batch:(index + 1) * self.per_batch]
            q, a, y = pair_batch(self.questions, self.answers, rows, negatives, self.rng)
            return (tf.constant(q[:, None]), tf.constant(a[:, None])), y

    return PairBatches()


def pair_batch(questions, answers, rows, negatives: int, rng):
    """Arrays (question, answer, label) for ``rows``: true pairs plus random mismatches. A
    negative whose text equals the true answer is redrawn (chatterbot repeats some replies)."""
    n = len(answers)
    q, a, y = [], [], []
    for row in rows:
        q.append(questions[row]); a.append(answers[row]); y.append(1.0)
        for _ in range(negatives):
            other = rng.integers(n)
            while answers[other] == answers[row]:
                other = rng.integers(n)
            q.append(questions[row]); a.append(answers[other]); y.append(0.0)
    return np.asarray(q, dtype=object), np.asarray(a, dtype=object), np.asarray(y, dtype="float32")


# --------------------------------------------------------------------------------------------
# evaluation: ranking answers for held-out questions


def ranking_mrr(encoder, questions: Sequence[str], answers: Sequence[str]) -> float:
    """MRR of ranking the distinct ``answers`` for each question (answers[i] is question i's)."""
    import pandas as pd

    candidates, true_index = candidate_answers(pd.DataFrame({"answer": list(answers)}))
    ranks = answer_ranks(embed_texts(encoder, questions), embed_texts(encoder, candidates), true_index)
    return ranking_metrics(ranks)["mrr"]


def best_ranking_epoch_callback(encoder, questions: Sequence[str], answers: Sequence[str],
                                patience: int | None = None, train: tuple | None = None):
    """A Keras callback that measures answer-ranking MRR on validation questions after every
    epoch (and once before training, epoch 0), logs it as ``val_mrr``, and at the end restores
    the weights of the best epoch. With ``train=(questions, answers)`` it also ranks those
    training questions' answers and logs ``mrr``, so the two curves show when the model starts
    to memorize its training pairs.

    Why not the validation loss: with a few hundred questions the model soon fits its training
    pairs, and the pair loss keeps moving while the ranking of unseen answers gets worse.
    Ranking is what 6.6 measures, so it picks the epoch. With ``patience``, training stops once
    that many epochs in a row have not beaten the best. ``history`` / ``train_history`` hold
    the MRRs from epoch 0 on; ``best_epoch`` is 0 for the untrained weights."""
    import keras

    class BestRankingEpoch(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.history: list[float] = []
            self.train_history: list[float] = []
            self.best_epoch, self.best_weights = 0, None

        def _measure(self, epoch):
            mrr = ranking_mrr(encoder, questions, answers)
            self.history.append(mrr)
            if train is not None:
                self.train_history.append(ranking_mrr(encoder, *train))
            if mrr >= max(self.history):
                self.best_epoch, self.best_weights = epoch, self.model.get_weights()
            return mrr

        def on_train_begin(self, logs=None):
            self.history, self.train_history, self.best_weights = [], [], None
            self._measure(0)

        def on_epoch_end(self, epoch, logs=None):
            mrr = self._measure(epoch + 1)
            if logs is not None:
                logs["val_mrr"] = mrr
                if self.train_history:
                    logs["mrr"] = self.train_history[-1]
            if patience is not None and epoch + 1 - self.best_epoch >= patience:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return BestRankingEpoch()


def embed_texts(encoder, texts: Sequence[str], batch_size: int = 512) -> np.ndarray:
    """Unit-length vectors for ``texts`` (so that a dot product is a cosine)."""
    import tensorflow as tf

    vectors = encoder.predict(tf.constant(np.asarray(list(texts), dtype=object)[:, None]),
                              batch_size=batch_size, verbose=0)
    return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)


def answer_ranks(question_vectors: np.ndarray, answer_vectors: np.ndarray,
                 true_index: Sequence[int]) -> np.ndarray:
    """1-based rank of each question's true answer among all candidate answers by cosine
    (rank = 1 + number of candidates that score strictly higher)."""
    scores = question_vectors @ answer_vectors.T
    true_scores = scores[np.arange(len(true_index)), np.asarray(true_index)]
    return 1 + (scores > true_scores[:, None]).sum(axis=1)


def candidate_answers(df) -> tuple[list[str], np.ndarray]:
    """The distinct answer texts of ``df`` and, per row, the index of its own answer among
    them (identical replies to different questions are one candidate, right for both)."""
    unique: dict[str, int] = {}
    index = np.array([unique.setdefault(a, len(unique)) for a in df["answer"]])
    return list(unique), index


def ranking_metrics(ranks: Sequence[int]) -> dict:
    ranks = np.asarray(ranks)
    return {"top1": float(np.mean(ranks <= 1)), "top5": float(np.mean(ranks <= 5)),
            "mrr": float(np.mean(1.0 / ranks)), "median_rank": float(np.median(ranks))}


def random_ranking_baseline(n_candidates: int) -> dict:
    """What ranking the candidates in random order scores on average (exact expectations)."""
    n = int(n_candidates)
    return {"top1": 1.0 / n, "top5": min(5, n) / n,
            "mrr": float(np.sum(1.0 / np.arange(1, n + 1)) / n), "median_rank": (n + 1) / 2}


def tfidf_ranks(train_texts: Iterable[str], questions: Sequence[str], answers: Sequence[str],
                true_index: Sequence[int]) -> np.ndarray:
    """A classic non-neural baseline: TF-IDF word vectors and cosine, no training on pairs."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tfidf = TfidfVectorizer(sublinear_tf=True).fit(list(train_texts))
    qv = tfidf.transform(questions).toarray()
    av = tfidf.transform(answers).toarray()
    return answer_ranks(qv, av, true_index)


class NearestQuestions:
    """Look up the stored questions closest to a new one (the book's 6.6 lookup)."""

    def __init__(self, encoder, questions: Sequence[str]):
        self.encoder = encoder
        self.questions = list(questions)
        self.vectors = embed_texts(encoder, self.questions)

    def nearest(self, query: str, n: int = 5):
        import pandas as pd

        sims = self.vectors @ embed_texts(self.encoder, [query])[0]
        best = np.argsort(-sims)[:n]
        return pd.DataFrame({"similarity": sims[best].round(3),
                             "question": [self.questions[i] for i in best]})
