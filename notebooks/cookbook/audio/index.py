"""Index a folder of music with a trained network and find songs that sound alike.

``index_folder`` walks a folder for audio files (wav, flac, mp3, ogg, aiff), reads their tags
with mutagen, cuts each into log-mel clips, runs the clips through an embedding model (the genre
network up to its penultimate layer), averages a song's clip vectors and L2-normalises them.
Files that cannot be read are reported and skipped; one bad file never stops the walk.
``MusicIndex.save``/``load`` keep the index as ``.npz`` (vectors) plus ``.json`` (paths, tags).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .. import acquire
from .features import AudioReadError, file_clips

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".aif", ".aiff")


def tree_sha256(folder: Path) -> str:
    """One hash for a folder: its sorted relative file names and each file's SHA-256."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != ".complete"):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0"
                      + acquire.sha256_of(path).encode() + b"\n")
    return digest.hexdigest()


def scsynth_samples() -> Path:
    """The 207 CC0 recordings of npm supersonic-scsynth-samples, checked against their pin."""
    from ..datasets.ch15 import SAMPLES_TREE_SHA256

    folder = acquire.fetch("ch15-scsynth-samples")
    got = tree_sha256(folder)
    if got != SAMPLES_TREE_SHA256:
        raise acquire.AcquisitionError(acquire.get("ch15-scsynth-samples"),
                                       [(str(folder.name), f"folder hash {got[:16]}… differs from the pin")],
                                       "delete the cached folder and fetch it again")
    return folder


def find_audio(root: str | Path) -> list[Path]:
    """Audio files under ``root`` (sorted, hidden folders skipped)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if f.lower().endswith(AUDIO_SUFFIXES)]
    return found


def read_tags(path: Path) -> dict:
    """Title / artist / album / genre from the file's tags (mutagen), with the file name as the
    title when there are none; ``seconds`` from the stream info."""
    import mutagen

    tags = {"title": path.stem, "artist": "", "album": "", "genre": "", "seconds": None}
    try:
        info = mutagen.File(path, easy=True)
    except Exception:  # damaged headers: the audio reader decides whether the file is usable
        info = None
    if info is not None:
        for key in ("title", "artist", "album", "genre"):
            values = (info.tags or {}).get(key) if info.tags is not None else None
            if values:
                tags[key] = str(values[0])
        if getattr(info, "info", None) is not None and getattr(info.info, "length", None):
            tags["seconds"] = round(float(info.info.length), 2)
    return tags


@dataclass
class MusicIndex:
    """Unit-length song vectors with their paths and tags; cosine similarity by dot product."""

    vectors: np.ndarray
    paths: list[str]
    tags: list[dict]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.paths)

    def query(self, vector: np.ndarray, k: int = 5, exclude: int | None = None) -> list[tuple[int, float]]:
        v = np.asarray(vector, "float32").ravel()
        v = v / (np.linalg.norm(v) + 1e-9)
        scores = self.vectors @ v
        if exclude is not None:
            scores[exclude] = -np.inf
        top = np.argsort(-scores)[:k]
        return [(int(i), float(scores[i])) for i in top]

    def like(self, i: int, k: int = 5) -> list[tuple[int, float]]:
        """Songs most like song ``i`` (itself excluded)."""
        return self.query(self.vectors[i], k, exclude=i)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path.with_suffix(".npz"), vectors=self.vectors)
        path.with_suffix(".json").write_text(json.dumps(
            {"paths": self.paths, "tags": self.tags, "skipped": self.skipped}, indent=1))
        return path.with_suffix(".npz")

    @classmethod
    def load(cls, path: str | Path) -> "MusicIndex":
        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text())
        vectors = np.load(path.with_suffix(".npz"))["vectors"]
        return cls(vectors, meta["paths"], meta["tags"], [tuple(s) for s in meta["skipped"]])


def song_vector(embed: Callable[[np.ndarray], np.ndarray], clips: np.ndarray) -> np.ndarray:
    """Average of the clips' embeddings, unit length."""
    v = np.asarray(embed(clips)).mean(axis=0)
    return (v / (np.linalg.norm(v) + 1e-9)).astype("float32")


def index_folder(root: str | Path, embed: Callable[[np.ndarray], np.ndarray],
                 files: Sequence[Path] | None = None, max_seconds: float | None = 60.0,
                 relative_to: str | Path | None = None) -> MusicIndex:
    """Embed every audio file under ``root`` (or the given ``files``): the first ``max_seconds``
    of each. Unreadable files are collected in ``index.skipped`` as (name, reason)."""
    files = list(files) if files is not None else find_audio(root)
    base = Path(relative_to or root)
    vectors, kept, tags, skipped = [], [], [], []
    for path in acquire.track(files, desc="indexing", unit="file"):
        try:
            clips = file_clips(path, max_seconds)
        except AudioReadError as err:
            skipped.append((path.name, str(err)))
            continue
        vectors.append(song_vector(embed, clips))
        try:
            kept.append(Path(path).relative_to(base).as_posix())
        except ValueError:  # a file from elsewhere: its folder and name, never a machine path
            kept.append(f"{Path(path).parent.name}/{Path(path).name}")
        tags.append(read_tags(Path(path)))
    dim = vectors[0].shape[0] if vectors else 0
    return MusicIndex(np.stack(vectors) if vectors else np.zeros((0, dim), "float32"), kept, tags, skipped)
