"""Chapter 15's audio package: rendering scores to piano audio (cached, one instrument, a clear
error without timidity), log-mel clips, the split by piece, piece votes, the music-folder index
(tags, bad files skipped, a song's own clip first, save/load) and the item2vec yardsticks."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile

from cookbook.audio import features, index, item2vec, render

SR = features.SAMPLE_RATE


@pytest.fixture()
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_missing_timidity_names_the_package(monkeypatch, cache):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(render.RenderError, match="apt-get install timidity"):
        render.render_set(1, 5.0)


def test_candidate_order_is_fixed_so_small_picks_are_prefixes():
    a, b = render.candidates("essen"), render.candidates("essen")
    assert [p.key for p in a[:20]] == [p.key for p in b[:20]]
    assert len({p.key for p in a}) == len(a) > 1000  # every tune of every collection
    assert all(p.number is not None for p in a[:5])


@pytest.mark.skipif(shutil.which("timidity") is None, reason="timidity is not installed")
def test_render_forces_piano_and_caches(cache):
    import pretty_midi

    rendered, report = render.render_set(2, 6.0, labels=("bach", "palestrina"), verbose=False)
    assert len(rendered) == 4 and report["rendered"] == 4
    for item in rendered:
        assert item.wav.exists() and item.seconds >= 6.0
        audio = features.load_audio(item.path, 6.0)
        assert len(audio) == 6 * SR and np.abs(audio).max() > 0.01  # not silent
        midi = pretty_midi.PrettyMIDI(str(item.wav.with_suffix(".mid")))
        assert {i.program for i in midi.instruments} == {render.PIANO}  # Palestrina included
        assert max(n.end for i in midi.instruments for n in i.notes) <= 6.0
    again, report = render.render_set(2, 6.0, labels=("bach", "palestrina"), verbose=False)
    assert report["rendered"] == 0 and report["cached"] == 4
    assert [r.key for r in again] == [r.key for r in rendered]
    rendered[0].wav.write_bytes(rendered[0].wav.read_bytes()[:100])  # a run stopped mid-file
    _, report = render.render_set(2, 6.0, labels=("bach", "palestrina"), verbose=False)
    assert report["rendered"] == 1 and report["cached"] == 3
    assert features.load_audio(rendered[0].path).size >= 6 * SR


def test_log_mel_and_clips():
    tone = np.sin(2 * np.pi * 440 * np.arange(7 * SR) / SR).astype("float32")
    mel = features.log_mel(tone)
    assert mel.shape[1] == features.N_MELS and abs(len(mel) - 7 * SR / features.HOP) <= 2
    clips = features.to_clips(mel)
    assert clips.shape == (len(mel) // 128, 128, 128)
    short = features.to_clips(features.log_mel(tone[:1000]))  # shorter than one FFT window
    assert short.shape == (1, 128, 128) and short[0, -1, 0] == features.SILENCE
    assert features.to_clips(mel[:50], pad_short=False).shape[0] == 0


def test_split_by_piece_is_disjoint_and_stratified():
    piece_y = np.repeat(np.arange(4), 20)
    train, val, test = features.split_by_piece(piece_y, (0.6, 0.15, 0.25))
    assert not (set(train) & set(val)) and not (set(train) & set(test)) and not (set(val) & set(test))
    assert len(train) + len(val) + len(test) == 80
    assert np.bincount(piece_y[test]).tolist() == [5, 5, 5, 5]


def test_piece_votes_add_log_probabilities():
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.45, 0.55], [0.2, 0.8]])
    piece = np.array([0, 0, 0, 1])
    ids, pred = features.piece_votes(probs, piece)
    assert ids.tolist() == [0, 1] and pred.tolist() == [0, 1]  # one confident clip outweighs two unsure


def _music_folder(root):
    import mutagen.flac

    rng = np.random.default_rng(0)
    (root / "album").mkdir(parents=True)
    for i, freq in enumerate((220, 440, 880)):
        t = np.arange(int(4.5 * SR)) / SR
        soundfile.write(root / f"song{i}.wav", 0.3 * np.sin(2 * np.pi * freq * t * (1 + 0.1 * t)), SR)
    soundfile.write(root / "album" / "noise.flac", 0.1 * rng.standard_normal(2 * SR), SR)
    tags = mutagen.flac.FLAC(root / "album" / "noise.flac")
    tags["title"], tags["artist"], tags["genre"] = "White noise", "Nobody", "Noise"
    tags.save()
    (root / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00" + b"\x00garbage" * 50)
    (root / "notes.txt").write_text("not audio")
    (root / "empty.ogg").write_bytes(b"")


def _embed(clips):
    """A stand-in for the network's penultimate layer: each mel band's mean and spread."""
    return np.concatenate([clips.mean(axis=1), clips.std(axis=1)], axis=1)


def test_index_skips_bad_files_reads_tags_and_finds_its_own_clip(tmp_path):
    _music_folder(tmp_path / "music")
    found = index.find_audio(tmp_path / "music")
    assert [p.name for p in found] == ["broken.mp3", "empty.ogg", "song0.wav", "song1.wav", "song2.wav",
                                       "noise.flac"]
    built = index.index_folder(tmp_path / "music", _embed)
    assert sorted(name for name, _ in built.skipped) == ["broken.mp3", "empty.ogg"]
    assert built.paths == ["song0.wav", "song1.wav", "song2.wav", "album/noise.flac"]
    noise = built.tags[3]
    assert (noise["title"], noise["artist"], noise["genre"]) == ("White noise", "Nobody", "Noise")
    assert built.tags[0]["title"] == "song0" and built.tags[0]["seconds"] == pytest.approx(4.5, abs=0.01)
    for i, rel in enumerate(built.paths):
        clip = features.file_clips(tmp_path / "music" / rel)[-1:]
        assert built.query(_embed(clip)[0], 1)[0][0] == i
    assert built.like(0, 3)[0][0] != 0
    saved = built.save(tmp_path / "out" / "idx")
    back = index.MusicIndex.load(saved)
    assert back.paths == built.paths and np.allclose(back.vectors, built.vectors)
    assert back.skipped == built.skipped


def test_tree_hash_changes_with_content(tmp_path):
    (tmp_path / "a").write_bytes(b"1")
    first = index.tree_sha256(tmp_path)
    (tmp_path / "a").write_bytes(b"2")
    assert index.tree_sha256(tmp_path) != first


def test_hold_out_and_baselines():
    sequences = [[str(i) for i in range(12)], ["0", "1", "2"], [str(i) for i in range(5, 17)]]
    held = item2vec.hold_out_last(sequences, n_last=2, min_length=10)
    assert held.train[0] == [str(i) for i in range(10)] and held.train[1] == ["0", "1", "2"]
    assert held.target == ["10", "11", "15", "16"]
    assert held.history[1] == [str(i) for i in range(11)]
    ranking = item2vec.popularity_ranking(held.train)
    assert set(ranking[:8]) == {"0", "1", "2", "5", "6", "7", "8", "9"}  # seen twice, the rest once
    assert item2vec.recommend_popular(ranking, {"0", "1"}, 3)[0] not in {"0", "1"}


def test_item2vec_recommends_from_cooccurrence():
    from gensim.models import Word2Vec

    rng = np.random.default_rng(0)
    groups = [[f"a{i}" for i in range(8)], [f"b{i}" for i in range(8)]]
    sequences = [list(rng.choice(groups[n % 2], size=8, replace=False)) for n in range(400)]
    held = item2vec.hold_out_last(sequences, n_last=1, min_length=5)
    wv = Word2Vec(held.train, vector_size=16, window=5, min_count=1, sg=1, epochs=10, seed=1, workers=1).wv
    recs = item2vec.recommend_similar(wv, ["a1", "a2"], k=3, context=1)
    assert recs and all(r.startswith("a") for r in recs) and "a2" not in recs
    hit = item2vec.hit_rate(lambda h, k: item2vec.recommend_similar(wv, h, k, context=1), held, k=4)
    pop = item2vec.hit_rate(lambda h, k: item2vec.recommend_popular(item2vec.popularity_ranking(held.train),
                                                                    set(h), k), held, k=4)
    assert hit > pop
