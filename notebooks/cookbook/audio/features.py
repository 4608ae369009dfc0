"""Audio -> fixed-length log-mel clips, split by piece, and piece-level votes.

Features follow the book's choices: 22,050 Hz mono, a 2,048-point FFT with hop 512 and 128 mel
bands, cut into clips of 128 frames (about 2.97 s). Unlike the book we take the logarithm (dB)
and map it with a fixed affine scale, ``(dB + 40) / 40``, so the same function serves any audio
file later (the music-folder index) without statistics from the training set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

SAMPLE_RATE = 22_050
N_MELS = 128
HOP = 512
N_FFT = 2048
CLIP_FRAMES = 128


class AudioReadError(RuntimeError):
    """An audio file that cannot be decoded."""


def load_audio(path: str | Path, seconds: float | None = None, sr: int = SAMPLE_RATE) -> np.ndarray:
    """Mono float32 samples at ``sr`` (the first ``seconds`` only). WAV, FLAC, AIFF, OGG and MP3
    are read by libsndfile (python-soundfile); raises AudioReadError for anything it cannot read."""
    import librosa
    import soundfile

    try:
        with soundfile.SoundFile(str(path)) as f:
            frames = -1 if seconds is None else int(seconds * f.samplerate)
            data = f.read(frames=frames, dtype="float32", always_2d=True)
            rate = f.samplerate
    except Exception as err:  # soundfile raises LibsndfileError, RuntimeError, TypeError ...
        raise AudioReadError(f"{Path(path).name}: {type(err).__name__}: {str(err)[:160]}") from None
    if data.size == 0:
        raise AudioReadError(f"{Path(path).name}: no audio samples")
    mono = data.mean(axis=1)
    if rate != sr:
        mono = librosa.resample(mono, orig_sr=rate, target_sr=sr)
    return mono.astype("float32")


def log_mel(samples: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """(frames, 128) scaled log-mel spectrogram: time first, mel bands as channels."""
    import librosa

    if len(samples) < N_FFT:  # very short sounds: pad with silence to one FFT window
        samples = np.pad(samples, (0, N_FFT - len(samples)))
    mel = librosa.feature.melspectrogram(y=samples, sr=sr, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    db = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    db = np.maximum(db, -100.0)
    return ((db + 40.0) / 40.0).T.astype("float32")


SILENCE = (-100.0 + 40.0) / 40.0  # the scaled value of a silent mel bin


def to_clips(mel: np.ndarray, frames: int = CLIP_FRAMES, pad_short: bool = True) -> np.ndarray:
    """Non-overlapping clips of ``frames`` frames; audio shorter than one clip is padded with
    silence to one clip (``pad_short``) or gives none."""
    n = len(mel) // frames
    if n == 0:
        if not pad_short or len(mel) == 0:
            return np.zeros((0, frames, mel.shape[1]), dtype="float32")
        padded = np.full((frames, mel.shape[1]), SILENCE, dtype="float32")
        padded[:len(mel)] = mel
        return padded[None]
    return mel[:n * frames].reshape(n, frames, mel.shape[1])


def file_clips(path: str | Path, seconds: float | None = None) -> np.ndarray:
    return to_clips(log_mel(load_audio(path, seconds)))


@dataclass
class ClipSet:
    """Clips of many pieces: ``x`` (n, 128, 128), ``y`` class index, ``piece`` piece index."""

    x: np.ndarray
    y: np.ndarray
    piece: np.ndarray
    labels: list[str]
    piece_keys: list[str]
    piece_y: np.ndarray = field(default_factory=lambda: np.zeros(0, "int64"))

    def subset(self, pieces: Sequence[int]) -> "ClipSet":
        mask = np.isin(self.piece, np.asarray(pieces))
        return ClipSet(self.x[mask], self.y[mask], self.piece[mask], self.labels, self.piece_keys,
                       self.piece_y)


@dataclass(frozen=True)
class Track:
    """A labelled audio file: ``key`` names it uniquely, ``label`` is its class."""

    path: Path
    key: str
    label: str


def labelled_folder(root: str | Path, suffixes=(".wav", ".au", ".flac", ".mp3", ".ogg")) -> list[Track]:
    """A labelled music folder in the GTZAN layout: ``root/<label>/<file>`` (sorted)."""
    root = Path(root)
    tracks = [Track(p, f"{p.parent.name}/{p.name}", p.parent.name)
              for p in sorted(root.glob("*/*")) if p.suffix.lower() in suffixes]
    if not tracks:
        raise FileNotFoundError(f"no audio files in {root}/<label>/ (expected e.g. blues/blues.00000.wav)")
    return tracks


def clip_set(tracks, seconds: float, labels: Sequence[str], progress=None) -> ClipSet:
    """Clips for labelled tracks (objects with ``.path``, ``.key`` and ``.label``): only the first
    ``seconds`` of each file, whole clips only."""
    xs, ys, ps, keys, piece_y = [], [], [], [], []
    items = progress(tracks) if progress else tracks
    for i, item in enumerate(items):
        clips = to_clips(log_mel(load_audio(item.path, seconds)), pad_short=False)
        label = labels.index(item.label)
        xs.append(clips)
        ys += [label] * len(clips)
        ps += [i] * len(clips)
        keys.append(item.key)
        piece_y.append(label)
    return ClipSet(np.concatenate(xs), np.asarray(ys, "int64"), np.asarray(ps, "int64"), list(labels),
                   keys, np.asarray(piece_y, "int64"))


def split_by_piece(piece_y: np.ndarray, fractions=(0.7, 0.15, 0.15), seed: int = 0
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Piece indices for train / validation / test, stratified by class: no piece's clips end up
    on two sides."""
    rng = np.random.default_rng(seed)
    parts: list[list[int]] = [[], [], []]
    for label in np.unique(piece_y):
        idx = rng.permutation(np.flatnonzero(piece_y == label))
        n_val = max(1, round(fractions[1] * len(idx)))
        n_test = max(1, round(fractions[2] * len(idx)))
        parts[1] += idx[:n_val].tolist()
        parts[2] += idx[n_val:n_val + n_test].tolist()
        parts[0] += idx[n_val + n_test:].tolist()
    return tuple(np.sort(np.asarray(p, "int64")) for p in parts)


def piece_votes(probs: np.ndarray, piece: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Piece-level prediction from clip probabilities: the class with the largest summed
    log-probability over the piece's clips. Returns (piece indices, predicted class)."""
    ids = np.unique(piece)
    logp = np.log(np.clip(probs, 1e-7, 1.0))
    pred = np.array([int(np.argmax(logp[piece == i].sum(axis=0))) for i in ids])
    return ids, pred
