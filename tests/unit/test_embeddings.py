"""cookbook.embeddings on the real GloVe vectors (first few thousand words) and real files."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cookbook import acquire
from cookbook.text import embeddings as emb
from cookbook import fixtures
from cookbook.fixtures import word2vec as word2vec_fixture
from cookbook.fixtures.loopback import Route, serve


@pytest.fixture(scope="module")
def glove():
    return emb.load_glove(limit=20_000)


@pytest.fixture(scope="module")
def questions():
    return acquire.fetch("analogy-questions")


def test_glove_loads_in_frequency_order(glove):
    assert len(glove) == 20_000 and glove.vector_size == 50
    assert glove.index_to_key[:3] == ["the", ",", "."]
    assert glove.most_similar("king", topn=20)  # works as gensim KeyedVectors


def test_token_translates_the_books_spelling(glove):
    assert emb.token(glove, "Germany") == "germany"
    assert emb.token(glove, "Sri_Lanka") is None          # no phrases in GloVe
    news_style = emb.keyed_vectors(["Sri_Lanka", "Germany"], glove[["lanka", "germany"]])
    assert emb.token(news_style, "Sri_Lanka") == "Sri_Lanka"
    assert emb.token(news_style, "Sri Lanka") == "Sri_Lanka"
    assert emb.tokens(glove, ["Italy", "Atlantis_Nowhere", "USA"]) == ["italy", "usa"]


def test_phrase_vector_falls_back_to_the_mean_of_words(glove):
    vector, how = emb.phrase_vector(glove, "New_Zealand")
    assert how == "mean of words"
    np.testing.assert_allclose(vector, (glove["new"] + glove["zealand"]) / 2)
    assert emb.phrase_vector(glove, "Canada")[1] == "token"
    assert emb.phrase_vector(glove, "Qqqzz_Land") == (None, "missing")


def test_analogy_accepts_words_and_lists(glove):
    assert emb.analogy(glove, "man", "woman", "king") == "queen"
    top = emb.analogy(glove, ["germany"], ["berlin"], "france", topn=3)
    assert isinstance(top, list) and top[0] == "paris"


def test_read_analogy_questions_reads_the_google_set(questions):
    sections = emb.read_analogy_questions(questions)
    assert len(sections) == 14
    assert sum(len(q) for _, q in sections) == 19_544
    assert sections[0][0] == "capital-common-countries"
    assert all(len(q) == 4 for _, qs in sections for q in qs)


@pytest.mark.parametrize("restrict", [3_000, 8_000])
def test_batched_analogy_accuracy_equals_gensim(glove, questions, restrict):
    ours = emb.analogy_accuracy(glove, questions, restrict_vocab=restrict)
    theirs, sections = glove.evaluate_word_analogies(str(questions), restrict_vocab=restrict)
    assert ours["accuracy"] == pytest.approx(theirs, abs=1e-12)
    total = next(s for s in sections if s["section"] == "Total accuracy")
    assert ours["questions"] == len(total["correct"]) + len(total["incorrect"])


def test_batched_analogy_handles_case_variants_like_gensim(glove, questions):
    # Google News has both "Paris" and "paris": a less frequent spelling of a question word
    # must not count as an answer, exactly as in gensim.
    n = 6_000
    extra = ["PARIS", "Berlin", "ROME"]
    kv = emb.keyed_vectors(glove.index_to_key[:n] + extra,
                           np.vstack([glove.vectors[:n], glove[[w.lower() for w in extra]]]))
    ours = emb.analogy_accuracy(kv, questions, restrict_vocab=n + 3)
    theirs, _ = kv.evaluate_word_analogies(str(questions), restrict_vocab=n + 3)
    assert ours["accuracy"] == pytest.approx(theirs, abs=1e-12)


def test_vector_offsets_beat_the_nearest_to_c_baseline(glove, questions):
    full = emb.analogy_accuracy(glove, questions, restrict_vocab=5_000)
    only_c = emb.analogy_accuracy(glove, questions, restrict_vocab=5_000, only_c=True)
    assert full["accuracy"] > only_c["accuracy"] + 0.15
    assert 0 <= full["semantic"] <= 1 and 0 <= full["syntactic"] <= 1


def test_word_similarity_reports_spearman(glove):
    result = emb.word_similarity(glove, acquire.fetch("wordsim353"))
    assert 0.3 < result["spearman"] < 0.9
    assert 0 <= result["oov_percent"] < 20


def test_class_split_keeps_seed_and_held_out_members_apart(glove):
    members = ["france", "germany", "italy", "spain", "japan", "china", "india", "brazil",
               "canada", "mexico", "egypt", "kenya"]
    split = emb.class_split(glove, members, n_seed=5, n_negative=300,
                            rng=np.random.default_rng(0), vocab_limit=20_000)
    seed = {w for w, y in zip(split.train_words, split.train_labels) if y}
    unseen = {w for w, y in zip(split.test_words, split.test_labels) if y}
    assert len(seed) == 5 and len(unseen) == 7 and not seed & unseen
    negatives = [w for w, y in zip(split.train_words + split.test_words,
                                   np.r_[split.train_labels, split.test_labels]) if not y]
    assert len(negatives) == 300 and not set(negatives) & set(members)
    assert (split.train_labels == 0).sum() == 210


def test_precision_recall_counts():
    got = emb.precision_recall(np.array([1, 1, 1, 0, 0, 0]), np.array([1, 1, 0, 1, 0, 0]))
    assert got["tp"] == 2 and got["fp"] == 1 and got["fn"] == 1
    assert got["precision"] == pytest.approx(2 / 3) and got["recall"] == pytest.approx(2 / 3)
    assert emb.precision_recall(np.array([1, 0]), np.array([0, 0]))["precision"] == 0.0


def test_scan_vocabulary_agrees_with_predict(glove):
    members = emb.tokens(glove, ["France", "Germany", "Italy", "Spain", "Japan", "China",
                                 "India", "Brazil", "Canada", "Mexico", "Egypt", "Kenya",
                                 "Peru", "Chile", "Norway", "Sweden"])
    split = emb.class_split(glove, members, n_seed=16, n_negative=1_000,
                            rng=np.random.default_rng(1), vocab_limit=20_000)
    from sklearn.svm import SVC

    clf = SVC(kernel="linear").fit(glove[split.train_words], split.train_labels)
    found = emb.scan_vocabulary(clf, glove, limit=5_000)
    predicted = clf.predict(glove.vectors[:5_000])
    assert found == [glove.index_to_key[i] for i in np.flatnonzero(predicted == 1)]
    assert len(set(members) & set(found)) >= 12  # it learned its own examples


def test_rank_by_term(glove):
    names = ["Canada", "Finland", "India", "Pakistan", "Brazil", "New_Zealand", "Atlantis_Qqq"]
    members = emb.class_vectors(glove, names)
    assert members.names == names[:-1] and members.matrix.shape == (6, 50)
    everything = emb.rank_by_term(glove, members, "cricket", topn=None)
    assert len(everything) == 6
    assert [s for _, s in everything] == sorted((s for _, s in everything), reverse=True)
    assert {n for n, _ in everything[:2]} == {"India", "Pakistan"}
    assert emb.rank_by_term(glove, members, "qqqzzzword") == []


def test_world_map_patches_france_and_norway():
    world = emb.load_world(acquire.fetch("naturalearth-lowres"))
    assert len(world) == 177
    codes = dict(zip(world["name"], world["iso_a3"]))
    assert codes["France"] == "FRA" and codes["Norway"] == "NOR"
    shaded = emb.scores_on_map(world, {"fra": -2.0, "nor": 3.0, "can": 1.0})
    scores = dict(zip(shaded["iso_a3"], shaded["score"]))
    assert scores["FRA"] == 0.0 and scores["NOR"] == 1.0 and scores["CAN"] == pytest.approx(0.6)
    assert math.isnan(scores["DEU"])


def test_word2vec_download_roundtrip_over_http(glove, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_PROGRESS", "0")
    body = word2vec_fixture.word2vec_bytes(glove, 500)
    with serve({"/w2v.bin.gz": Route(body)}) as server:
        got = emb.download_word2vec(server.url("/w2v.bin.gz"), tmp_path / "d.bin.gz", len(body))
    back = emb.load_word2vec(got)
    assert back.index_to_key == glove.index_to_key[:500]
    np.testing.assert_allclose(back.vectors, glove.vectors[:500])
    assert emb.load_word2vec(got, limit=10).index_to_key == glove.index_to_key[:10]


def test_word2vec_download_failures_leave_no_file(glove, tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_PROGRESS", "0")
    body = word2vec_fixture.word2vec_bytes(glove, 500)
    routes = {"/cut.bin.gz": Route(body, truncate_at=len(body) // 3),
              "/ok.bin.gz": Route(body)}
    with serve(routes) as server:
        with pytest.raises(acquire.AcquisitionError):
            emb.download_word2vec(server.url("/cut.bin.gz"), tmp_path / "cut.bin.gz", len(body))
        with pytest.raises(acquire.AcquisitionError, match="expected"):
            emb.download_word2vec(server.url("/ok.bin.gz"), tmp_path / "ok.bin.gz", len(body) + 1)
        with pytest.raises(acquire.AcquisitionError, match="404"):
            emb.download_word2vec(server.url("/gone.bin.gz"), tmp_path / "gone.bin.gz", 1)
    assert not (tmp_path / "cut.bin.gz").exists() and not (tmp_path / "ok.bin.gz").exists()


def test_fetch_googlenews_from_the_standin(glove, tmp_path, monkeypatch):
    # the notebook's two lines: the stand-in serves a sample where the book's host has the file
    monkeypatch.setenv("DLCB_PROGRESS", "0")
    monkeypatch.setenv("DLCB_GENERATED", str(tmp_path / "generated"))
    monkeypatch.delenv("DLCB_ONLINE", raising=False)
    base_url = fixtures.standin("word2vec", vectors=glove, words=300)
    assert base_url.startswith("http://127.0.0.1")
    path = emb.fetch_googlenews(base_url)
    assert path.name == "GoogleNews-vectors-negative300.bin.gz"
    assert path.parent == tmp_path / "generated" / "ch03" / "downloads"   # not the real cache
    back = emb.load_word2vec(path)
    assert back.index_to_key == glove.index_to_key[:300] and back.vector_size == 50
    with pytest.raises(acquire.AcquisitionError, match="404"):
        emb.fetch_googlenews(base_url + "/elsewhere")


def test_fetch_googlenews_real_host_goes_through_the_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path))
    monkeypatch.setenv("DLCB_OFFLINE", "1")
    monkeypatch.delenv("DLCB_MIRROR", raising=False)
    monkeypatch.setenv("DLCB_ONLINE", "1")
    assert fixtures.standin("word2vec") == word2vec_fixture.REAL_BASE_URL
    with pytest.raises(acquire.AcquisitionError) as err:
        emb.fetch_googlenews(word2vec_fixture.REAL_BASE_URL)
    tried = " ".join(where for where, _ in err.value.attempts)
    assert "s3.amazonaws.com/dl4j-distribution" in tried and "windows.net" in tried
