"""Item sequences for a co-occurrence recommender (word2vec over "playlists") and its yardstick.

The book trains word2vec on Spotify playlists: a playlist is a sentence, a track id a word.
Offline there are no real playlists; the real item sequences we have are MovieLens watch
histories (each user's rated films in time order, Debian ``r-cran-dslabs``). The items are films.

Evaluation: every user's last few items are held out; the model sees the rest. A recommender gets the
user's most recent ``context`` items and proposes ``k`` items the user has not seen; a hit is the
held-out item among them. The baseline proposes the ``k`` most popular unseen items.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .. import acquire
from ..text.recommender import load_movielens


def load_watch_histories() -> tuple[list[list[str]], dict[str, str]]:
    """MovieLens small: one sequence of movie ids (as strings) per user, ordered by rating time
    (ties by movie id), and ``{movie id: "Title (year)"}``."""
    df = load_movielens(acquire.fetch("dslabs-rdata-rdb"), acquire.fetch("dslabs-rdata-rdx"), timestamp=True)
    df = df.rename(columns={"userId": "user", "movieId": "movie", "timestamp": "time"})
    df = df.sort_values(["user", "time", "movie"], kind="stable")
    sequences = [g.astype(str).tolist() for _, g in df.groupby("user", sort=True)["movie"]]
    titles = {str(m): (f"{t} ({int(y)})" if y == y else t)
              for m, t, y in df.drop_duplicates("movie")[["movie", "title", "year"]].itertuples(index=False)}
    return sequences, titles


@dataclass
class HeldOut:
    train: list[list[str]]          # every sequence without its held-out tail
    history: list[list[str]]        # per test: what the user watched before the held-out item
    target: list[str]               # per test: the held-out item


def hold_out_last(sequences: Sequence[Sequence[str]], n_last: int = 5, min_length: int = 10) -> HeldOut:
    """Hold out the last ``n_last`` items of every sequence with at least ``min_length`` items.
    Each held-out item is one test: its history is everything the user watched before it."""
    train, history, target = [], [], []
    for seq in sequences:
        if len(seq) >= min_length:
            cut = len(seq) - n_last
            train.append(list(seq[:cut]))
            for j in range(cut, len(seq)):
                history.append(list(seq[:j]))
                target.append(seq[j])
        else:
            train.append(list(seq))
    return HeldOut(train, history, target)


def popularity_ranking(sequences: Sequence[Sequence[str]]) -> list[str]:
    return [item for item, _ in Counter(i for s in sequences for i in s).most_common()]


def recommend_popular(ranking: Sequence[str], seen: set, k: int = 10) -> list[str]:
    out = []
    for item in ranking:
        if item not in seen:
            out.append(item)
            if len(out) == k:
                break
    return out


def recommend_similar(wv, history: Sequence[str], k: int = 10, context: int = 5) -> list[str]:
    """Items nearest (cosine) to the mean vector of the user's last ``context`` known items,
    excluding everything the user has seen. ``wv`` is a gensim KeyedVectors."""
    recent = [i for i in history if i in wv.key_to_index][-context:]
    if not recent:
        return []
    seen = set(history)
    hits = wv.most_similar(positive=recent, topn=k + len(seen))
    return [item for item, _ in hits if item not in seen][:k]


def hit_rate(recommend, held: HeldOut, k: int = 10) -> float:
    """Fraction of held-out items that appear in ``recommend(history, k)``."""
    hits = [target in recommend(history, k) for history, target in zip(held.history, held.target)]
    return float(np.mean(hits)) if hits else float("nan")
