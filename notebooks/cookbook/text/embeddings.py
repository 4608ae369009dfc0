"""Chapter 3 helpers: load pretrained word vectors and compute with them.

Everything works on gensim ``KeyedVectors``, whichever vectors were loaded: the offline GloVe 6B
50-d set (lower-case words, no phrases) or the book's Google News word2vec (case-sensitive,
phrases joined with ``_``). :func:`token` translates the book's spelling ("Sri_Lanka") to what a
given vector set contains, so the notebook's code is the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

GLOVE = "glove"
GOOGLENEWS = "googlenews"

# --------------------------------------------------------------------------------------------
# loading


def keyed_vectors(words: Sequence[str], vectors: np.ndarray):
    """Wrap a word list and its matrix as gensim KeyedVectors without copying row by row
    (``add_vectors`` re-checks every key, which takes seconds for 400k words)."""
    from gensim.models import KeyedVectors

    if len(words) != len(vectors):
        raise ValueError(f"{len(words)} words but {len(vectors)} vectors")
    kv = KeyedVectors(vector_size=vectors.shape[1], count=0, dtype=vectors.dtype)
    kv.index_to_key = list(words)
    kv.key_to_index = {word: i for i, word in enumerate(kv.index_to_key)}
    kv.vectors = np.ascontiguousarray(vectors)
    return kv


def load_glove(limit: int | None = None):
    """GloVe 6B 50-d through the acquisition layer; ``limit`` keeps the most frequent words
    (the rows are in frequency order, like the word2vec file)."""
    import pandas as pd

    from .. import acquire

    matrix = np.load(acquire.fetch("glove-6b-50d-vectors"), mmap_mode="r")
    words = pd.read_parquet(acquire.fetch("glove-6b-index"))["index"].tolist()
    n = len(words) if limit is None else min(limit, len(words))
    return keyed_vectors(words[:n], np.asarray(matrix[:n], dtype=np.float32))


def fetch_googlenews(base_url: str | None = None) -> Path:
    """The book's Google News vectors, ``GoogleNews-vectors-negative300.bin.gz``.

    Without ``base_url``, or with one of the hosts registered for the file (the book's S3
    bucket, the Azure copy its repository moved to), this is the registry's download: cache,
    mirror, then those hosts, into the cache. Any other ``base_url`` (a local stand-in server,
    say) is downloaded the same way into ``generated/ch03/downloads/``, never into the cache.
    No checksum is published, so the byte count stands in for one: the registered 1,647,046,227
    bytes for the real file, the announced length for any other server. A file of the wrong
    size is deleted and reported."""
    from .. import acquire, paths

    resource = acquire.get("googlenews-word2vec")
    if base_url is None or base_url.rstrip("/") in _registered_hosts(resource):
        return _check_size(acquire.fetch(resource), resource)
    url = f"{base_url.rstrip('/')}/{resource.filename}"
    dest = paths.generated_dir("ch03", "downloads") / resource.filename
    return download_word2vec(url, dest, expected_size=_announced_size(url, resource))


def _registered_hosts(resource) -> set[str]:
    from .. import acquire

    return {src.url.rsplit("/", 1)[0] for src in resource.sources if isinstance(src, acquire.Url)}


def _announced_size(url: str, resource) -> int | None:
    """The Content-Length a server announces for ``url`` (None if it announces none)."""
    import requests

    from .. import acquire

    try:
        with requests.get(url, stream=True, timeout=30,
                          headers={"User-Agent": acquire.USER_AGENT}) as answer:
            answer.raise_for_status()
            length = answer.headers.get("Content-Length")
    except requests.RequestException as err:
        raise acquire.AcquisitionError(resource, [(url, str(err).splitlines()[0][:200])],
                                       "check the URL") from None
    return int(length) if length else None


def download_word2vec(url: str, dest: Path | str, expected_size: int | None) -> Path:
    """The Google News download code (pooch via ``acquire.Url``, then the size check) pointed
    at another URL and file: the real cache entry is never touched."""
    import dataclasses

    from .. import acquire

    resource = dataclasses.replace(acquire.get("googlenews-word2vec"), size_bytes=expected_size)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        acquire.Url(url, retries=0).deliver(resource, dest)
    except acquire.SourceFailed as err:
        raise acquire.AcquisitionError(resource, [(url, str(err))], "check the URL") from None
    return _check_size(dest, resource)


def _check_size(path: Path, resource) -> Path:
    from .. import acquire

    size = path.stat().st_size
    if resource.size_bytes and size != resource.size_bytes:
        path.unlink(missing_ok=True)
        raise acquire.AcquisitionError(
            resource, [(str(path), f"{size:,} bytes, expected {resource.size_bytes:,}")],
            "download it again; the file was incomplete or is not the Google News vectors")
    return path


def load_word2vec(path: Path | str, limit: int | None = None):
    """A word2vec binary file (gzip or not), as gensim reads it; ``limit`` = first N words."""
    from gensim.models import KeyedVectors

    return KeyedVectors.load_word2vec_format(str(path), binary=True, limit=limit)


# --------------------------------------------------------------------------------------------
# vocabulary


def token(kv, word: str) -> str | None:
    """The vocabulary entry for ``word`` written the book's way ("Sri_Lanka", "Germany"):
    as is (Google News), or lower-cased (GloVe). None when absent."""
    for candidate in (word, word.replace(" ", "_"), word.lower(), word.lower().replace(" ", "_")):
        if candidate in kv.key_to_index:
            return candidate
    return None


def tokens(kv, words: Iterable[str]) -> list[str]:
    """The words of ``words`` that the vectors know, translated by :func:`token`."""
    return [t for t in (token(kv, w) for w in words) if t is not None]


def phrase_vector(kv, name: str) -> tuple[np.ndarray | None, str]:
    """A vector for a (possibly multi-word) name, and how it was made.

    One token when the vocabulary has it ("Sri_Lanka" in Google News, "canada" in GloVe);
    otherwise the mean of its words' vectors when all are known ("sri" + "lanka" in GloVe),
    which is cruder (function words such as "south" pull it around) but better than nothing."""
    single = token(kv, name)
    if single is not None:
        return kv[single], "token"
    parts = [token(kv, part) for part in name.replace("_", " ").split()]
    if parts and all(parts):
        return np.mean([kv[p] for p in parts], axis=0), "mean of words"
    return None, "missing"


# --------------------------------------------------------------------------------------------
# analogies and standard evaluations


def analogy(kv, a, b, c, topn: int = 1):
    """"a is to b as c is to ?": the words nearest to b - a + c. Each of a, b, c may be one
    word or a list of words (several examples of the same relation average out noise)."""
    as_list = lambda x: [x] if isinstance(x, str) else list(x)  # noqa: E731
    found = kv.most_similar(positive=as_list(b) + as_list(c), negative=as_list(a), topn=topn)
    words = [w for w, _ in found]
    return words[0] if topn == 1 else words


def read_analogy_questions(path: Path | str) -> list[tuple[str, list[list[str]]]]:
    """The Google analogy file: ``: section`` lines, then four words per line."""
    sections: list[tuple[str, list[list[str]]]] = []
    for line in Path(path).read_text(encoding="utf8").splitlines():
        if line.startswith(":"):
            sections.append((line[1:].strip(), []))
        elif line.strip() and sections:
            sections[-1][1].append(line.split())
    return sections


def analogy_accuracy(kv, questions_path: Path | str, restrict_vocab: int = 30_000,
                     batch: int = 128, only_c: bool = False) -> dict:
    """Accuracy on the Google analogy questions, scored as gensim's ``evaluate_word_analogies``
    does (3CosAdd over the ``restrict_vocab`` most frequent words, case-insensitive, the three
    question words excluded, questions with unknown words skipped), but batched as matrix
    products: about a second instead of half a minute on two cores.

    ``only_c=True`` is the usual baseline: answer with the word nearest to c alone, ignoring
    the a -> b offset. Vector arithmetic has to beat it to mean anything."""
    words = kv.index_to_key[:restrict_vocab]
    vocab = _upper_vocab(words)
    canon = np.array([vocab[w.upper()] for w in words])  # row -> row of its upper-case form
    # normalise only the rows in play: a normalised copy of all 3M Google News rows is 3.6 GB
    rows = kv.vectors[: len(words)]
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    totals = {"correct": 0, "asked": 0, "skipped": 0}
    per_section = {}
    for name, questions in read_analogy_questions(questions_path):
        ids = [[vocab.get(w.upper()) for w in q] for q in questions]
        known = np.array([i for i in ids if None not in i], dtype=np.int64).reshape(-1, 4)
        correct = 0
        for s in range(0, len(known), batch):
            quads = known[s:s + batch]
            correct += int((canon[_best_answers(unit, canon, quads, only_c)] == quads[:, 3]).sum())
        per_section[name] = {"correct": correct, "asked": len(known)}
        totals["correct"] += correct
        totals["asked"] += len(known)
        totals["skipped"] += len(questions) - len(known)
    semantic = [v for k, v in per_section.items() if not k.startswith("gram")]
    syntactic = [v for k, v in per_section.items() if k.startswith("gram")]
    return {"accuracy": _ratio([totals]), "semantic": _ratio(semantic),
            "syntactic": _ratio(syntactic), "questions": totals["asked"],
            "skipped": totals["skipped"], "sections": per_section}


def _upper_vocab(words: Sequence[str]) -> dict[str, int]:
    """Upper-cased word -> row, keeping the most frequent spelling (gensim does the same)."""
    vocab: dict[str, int] = {}
    for i, word in enumerate(words):
        vocab.setdefault(word.upper(), i)
    return vocab


def _best_answers(unit: np.ndarray, canon: np.ndarray, quads: np.ndarray,
                  only_c: bool = False) -> np.ndarray:
    """Row of the best answer to each (a, b, c, _) question: argmax cos(x, b - a + c) over
    the rows that are not a spelling of a, b or c."""
    if len(quads) == 0:
        return np.empty(0, dtype=np.int64)
    a, b, c = (unit[quads[:, i]] for i in range(3))
    query = c if only_c else b - a + c
    scores = query @ unit.T
    rows = np.arange(len(quads))[:, None]
    scores[rows, quads[:, :3]] = -np.inf  # a, b and c themselves (their most frequent spelling)
    variants = np.flatnonzero(canon != np.arange(len(canon)))  # other spellings: Paris/PARIS
    if len(variants):
        hit = (canon[variants][None, :, None] == quads[:, None, :3]).any(axis=2)
        sub = scores[:, variants]
        sub[hit] = -np.inf
        scores[:, variants] = sub
    return scores.argmax(axis=1)


def _ratio(parts: list[dict]) -> float:
    asked = sum(p["asked"] for p in parts)
    return sum(p["correct"] for p in parts) / asked if asked else float("nan")


def word_similarity(kv, pairs_path: Path | str) -> dict:
    """Spearman and Pearson correlation between cosine similarity and human judgements
    (WordSim-353), as gensim's ``evaluate_word_pairs`` computes them."""
    pearson, spearman, oov = kv.evaluate_word_pairs(str(pairs_path), case_insensitive=True)
    return {"spearman": float(spearman[0]), "pearson": float(pearson[0]),
            "oov_percent": float(oov)}


# --------------------------------------------------------------------------------------------
# 3.3 t-SNE


def tsne_2d(kv, words: Sequence[str], perplexity: float = 5.0, seed: int = 0) -> np.ndarray:
    """2-D t-SNE layout of unit-length word vectors (length mostly encodes frequency, which
    we do not want to plot). The exact method: for a few dozen words it takes a second, while
    the default Barnes-Hut one spends half a minute on thread start-up on a busy machine."""
    from sklearn.manifold import TSNE

    unit = np.stack([kv.get_vector(w, norm=True) for w in words])
    method = "exact" if len(words) <= 500 else "barnes_hut"
    return TSNE(n_components=2, perplexity=perplexity, init="pca", learning_rate="auto",
                method=method, random_state=seed).fit_transform(unit)


# --------------------------------------------------------------------------------------------
# 3.4 entity classes


@dataclass
class ClassSplit:
    """Words and labels (1 = member of the class) for training and held-out evaluation."""
    train_words: list[str]
    train_labels: np.ndarray
    test_words: list[str]
    test_labels: np.ndarray


def class_split(kv, members: Sequence[str], n_seed: int, n_negative: int,
                rng: np.random.Generator, train_fraction: float = 0.7,
                vocab_limit: int | None = None) -> ClassSplit:
    """Train on a small seed list of ``n_seed`` members plus random vocabulary words; hold out
    the other members and the rest of the random words, so that recall measures how many
    *unseen* members the classifier finds. Random words are assumed negative; the few real
    members among them (the vocabulary has other spellings of countries) make the numbers
    slightly pessimistic, never optimistic."""
    members = list(dict.fromkeys(members))
    order = rng.permutation(len(members))
    seed = [members[i] for i in order[:n_seed]]
    unseen = [members[i] for i in order[n_seed:]]
    member_set = set(members)
    pool = kv.index_to_key[:vocab_limit] if vocab_limit else kv.index_to_key
    picks = rng.choice(len(pool), size=min(len(pool), n_negative * 2), replace=False)
    negatives = [pool[i] for i in picks if pool[i] not in member_set][:n_negative]
    cut = int(len(negatives) * train_fraction)
    train = seed + negatives[:cut]
    test = unseen + negatives[cut:]
    return ClassSplit(train, np.array([1] * len(seed) + [0] * cut),
                      test, np.array([1] * len(unseen) + [0] * (len(negatives) - cut)))


def precision_recall(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    tp = int(((y_true == 1) & (y_pred == 1)).sum())
    fp = int(((y_true == 0) & (y_pred == 1)).sum())
    fn = int(((y_true == 1) & (y_pred == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def scan_vocabulary(clf, kv, limit: int | None = None) -> list[str]:
    """Every word (of the ``limit`` most frequent) the linear SVM puts in the class, in
    frequency order. ``coef_`` turns prediction into one matrix product, which is what makes
    scanning millions of words feasible (``clf.predict`` on 3M x 300 is very slow)."""
    vectors = kv.vectors[:limit] if limit else kv.vectors
    scores = vectors @ clf.coef_.ravel() + clf.intercept_[0]
    return [kv.index_to_key[i] for i in np.flatnonzero(scores > 0)]


# --------------------------------------------------------------------------------------------
# 3.5 ranking members of a class


@dataclass
class ClassVectors:
    """The members of a class that have a vector, their vectors, and how each was made."""
    names: list[str]
    matrix: np.ndarray
    how: list[str]


def class_vectors(kv, names: Sequence[str]) -> ClassVectors:
    kept, rows, how = [], [], []
    for name in names:
        vector, made = phrase_vector(kv, name)
        if vector is not None:
            kept.append(name)
            rows.append(vector)
            how.append(made)
    return ClassVectors(kept, np.stack(rows), how)


def rank_by_term(kv, members: ClassVectors, term: str, topn: int | None = 10):
    """Members ranked by the dot product of their vector with ``term``'s (unnormalised, as in
    the book: vector length adds a "how much is this word talked about" factor). ``topn=None``
    returns every member; an unknown term gives []."""
    word = token(kv, term)
    if word is None:
        return []
    scores = members.matrix @ kv[word]
    order = np.argsort(-scores)[: (topn or len(scores))]
    return [(members.names[i], float(scores[i])) for i in order]


# --------------------------------------------------------------------------------------------
# 3.6 the world map

# Natural Earth codes these two as -99 (their overseas territories make "the" ISO code
# ambiguous); the map would otherwise leave them blank.
ISO_A3_PATCHES = {"France": "FRA", "Norway": "NOR"}


def load_world(folder: Path | str):
    """The Natural Earth low-res countries with France and Norway given their ISO codes."""
    import geopandas as gpd

    world = gpd.read_file(Path(folder) / "naturalearth_lowres.shp")
    for name, code in ISO_A3_PATCHES.items():
        world.loc[(world["name"] == name) & (world["iso_a3"] == "-99"), "iso_a3"] = code
    return world


def scores_on_map(world, scores_by_iso3: dict[str, float], column: str = "score"):
    """Copy of ``world`` with ``column`` = the score rescaled to 0..1 (lowest..highest; dot
    products can be negative, so dividing by the maximum is not enough). NaN = no score."""
    out = world.copy()
    out[column] = out["iso_a3"].map({k.upper(): v for k, v in scores_by_iso3.items()})
    low, high = out[column].min(), out[column].max()
    if np.isfinite(low) and high > low:
        out[column] = (out[column] - low) / (high - low)
    return out
