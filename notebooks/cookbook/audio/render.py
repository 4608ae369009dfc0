"""A labelled music set rendered from real compositions (chapter 15's offline data).

No genre-labelled recordings are available offline, so we make audio from scores: pieces from
music21's corpus -> MIDI (music21) -> every part forced to one instrument, acoustic grand piano,
and cut to ``seconds`` (pretty_midi) -> WAV with ``timidity`` and the TimGM6mb General-MIDI
soundfont. The label of a piece is the corpus it comes from, i.e. a composer or a folk-song
collection, not a genre. One instrument for all matters: music21 gives Palestrina's voices the
"Voice Oohs" program, and a network would happily learn that timbre instead of the music.

Rendered files are cached under ``<cache>/ch15-renders/<seconds>s/<label>/`` keyed by piece, so
a rerun (or a larger run after a smaller one: the pick order is fixed) only renders what is
missing. ``timidity`` renders a whole batch of MIDI files per call (its start-up costs about a
second, the synthesis itself is fast).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import acquire, paths

# label -> (what it is, folder in music21's corpus, file pattern)
CLASSES: dict[str, tuple[str, str, str]] = {
    "bach": ("J. S. Bach, mostly four-part chorales (MusicXML)", "bach", "bwv*.mxl"),
    "palestrina": ("G. P. da Palestrina, masses and motets for 4-6 voices (Humdrum kern)",
                   "palestrina", "*.krn"),
    "oneill": ("O'Neill's Music of Ireland (1850): Irish dance tunes, one melody (ABC)",
               "oneills1850", "*.abc"),
    "essen": ("Essen folk-song collection: mostly German folk songs, one melody (ABC)",
              "essenFolksong", "*.abc"),
}
SAMPLE_RATE = 22_050
PIANO = 0  # General MIDI program 1, acoustic grand piano


class RenderError(RuntimeError):
    """A piece or the renderer failed; the message says what to do."""


@dataclass(frozen=True)
class Piece:
    """One composition: ``key`` is unique ("essen/erk10.abc#12"), ``label`` its corpus."""

    key: str
    label: str
    path: Path
    number: int | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^A-Za-z0-9-]+", "_", self.key.split("/", 1)[1])


@dataclass
class Rendered:
    piece: Piece
    wav: Path
    seconds: float      # length of the rendered audio
    tempo_bpm: float    # the MIDI file's first tempo
    notes: int          # notes within the rendered span

    # the labelled-track interface of cookbook.audio.features.clip_set
    @property
    def path(self) -> Path:
        return self.wav

    @property
    def key(self) -> str:
        return self.piece.key

    @property
    def label(self) -> str:
        return self.piece.label


def timidity() -> str:
    """The timidity executable, or a RenderError saying how to install it."""
    exe = shutil.which("timidity")
    if exe is None:
        raise RenderError("timidity is not installed; it renders the MIDI files to audio. "
                          "Install it with: sudo apt-get install timidity (Debian/Ubuntu), "
                          "brew install timidity (macOS).")
    return exe


def _abc_numbers(path: Path) -> list[int]:
    text = path.read_text(encoding="latin-1")
    return [int(m) for m in re.findall(r"^X:\s*(\d+)", text, flags=re.M)]


def candidates(label: str, corpus_dir: Path | None = None, seed: int = 0) -> list[Piece]:
    """Every piece of a class in a fixed shuffled order (a smaller pick is a prefix of a larger)."""
    corpus_dir = Path(corpus_dir or acquire.fetch("ch15-music21-corpus"))
    _, folder, pattern = CLASSES[label]
    files = sorted(p for p in (corpus_dir / folder).glob(pattern) if not p.stem.startswith("test"))
    pieces: list[Piece] = []
    for path in files:
        if path.suffix == ".abc":
            pieces += [Piece(f"{label}/{path.name}#{n}", label, path, n) for n in _abc_numbers(path)]
        else:
            pieces.append(Piece(f"{label}/{path.name}", label, path))
    order = np.random.default_rng(seed).permutation(len(pieces))
    return [pieces[i] for i in order]


def score_to_piano_midi(piece: Piece, out: Path, seconds: float) -> tuple[float, int]:
    """Parse the score, write MIDI, force every part to piano and cut at ``seconds``.
    Returns (first tempo in bpm, number of notes kept)."""
    import music21
    import pretty_midi

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(piece.path, number=piece.number) if piece.number \
            else music21.converter.parse(piece.path)
        if isinstance(score, music21.stream.Opus):
            score = score.scores[0]
        with tempfile.TemporaryDirectory() as work:
            raw = Path(work) / "raw.mid"
            score.write("midi", fp=raw)
            midi = pretty_midi.PrettyMIDI(str(raw))
    kept = 0
    for instrument in midi.instruments:
        instrument.program, instrument.is_drum = PIANO, False
        instrument.notes = [n for n in instrument.notes if n.start < seconds]
        for note in instrument.notes:
            note.end = min(note.end, seconds)
        kept += len(instrument.notes)
    if kept == 0:
        raise RenderError(f"{piece.key}: no notes")
    _, tempi = midi.get_tempo_changes()
    out.parent.mkdir(parents=True, exist_ok=True)
    midi.write(str(out))
    return float(tempi[0]) if len(tempi) else 120.0, kept


def timidity_command(cfg: Path | str) -> list[str]:
    """The timidity call (before the MIDI file names) that renders each file given to it to a
    22.05 kHz mono 16-bit WAV beside it, with the soundfont named in ``cfg``."""
    return [timidity(), "-c", str(cfg), "-Ow", "--output-mono", "-s", str(SAMPLE_RATE)]


def _render_batch(midis: list[Path], soundfont: Path) -> None:
    """MIDI -> 22.05 kHz mono 16-bit WAV beside each file (one timidity call for the batch)."""
    cfg = midis[0].parent.parent / "timidity.cfg"
    command = timidity_command(cfg)
    cfg.write_text(f"soundfont {soundfont}\n")
    by_dir: dict[Path, list[Path]] = {}
    for m in midis:
        by_dir.setdefault(m.parent, []).append(m)
    for folder, files in by_dir.items():
        done = subprocess.run([*command, *[f.name for f in files]], cwd=folder, capture_output=True,
                              text=True, timeout=60 + 10 * len(files))
        missing = [f for f in files if not f.with_suffix(".wav").exists()]
        if done.returncode != 0 or missing:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            raise RenderError(f"timidity failed on {len(missing)} of {len(files)} files in "
                              f"{paths.shown(folder)} (exit {done.returncode}): {tail}")


def _complete(wav: Path) -> bool:
    """A cached WAV that libsndfile reads and that holds audio (not cut off by a stopped run)."""
    import soundfile

    if not wav.exists():
        return False
    try:
        ok = soundfile.info(str(wav)).frames > SAMPLE_RATE // 2
    except Exception:
        ok = False
    if not ok:
        wav.unlink()
    return ok


def render_dir(seconds: float) -> Path:
    return paths.cache_dir() / "ch15-renders" / f"{seconds:g}s"


def render_set(per_class: int, seconds: float = 30.0, labels=tuple(CLASSES), min_notes: int = 8,
               batch: int = 40, verbose: bool = True) -> tuple[list[Rendered], dict]:
    """Render (or take from the cache) ``per_class`` pieces of each class, cut at ``seconds``.

    Pieces music21 cannot read (a few ABC tunes raise on duplicate time signatures) or with fewer
    than ``min_notes`` notes are skipped, counted, and replaced by the next candidate.
    Returns the rendered pieces and a report: counts of rendered, cached and skipped pieces."""
    out_dir = render_dir(seconds)
    soundfont = acquire.fetch("ch15-timgm6mb-soundfont")
    timidity()  # fail early, before any parsing, when the renderer is missing
    report = {"cached": 0, "rendered": 0, "skipped": {}, "seconds": 0.0}
    started = time.perf_counter()
    chosen: list[tuple[Piece, Path, dict]] = []
    pending: list[Path] = []
    todo = [(label, candidates(label)) for label in labels]
    for label, pool in acquire.track(todo, desc="scores -> piano MIDI", unit="class"):
        got = 0
        for piece in pool:
            if got == per_class:
                break
            midi = out_dir / label / f"{piece.slug}.mid"
            meta_path = midi.with_suffix(".json")
            if meta_path.exists():
                meta = json.loads(meta_path.read_text())
                if meta.get("skipped"):
                    report["skipped"][label] = report["skipped"].get(label, 0) + 1
                    continue
            else:
                try:
                    tempo, notes = score_to_piano_midi(piece, midi, seconds)
                    meta = {"key": piece.key, "tempo_bpm": tempo, "notes": notes}
                    if notes < min_notes:
                        meta["skipped"] = f"{notes} notes"
                except Exception as err:  # music21 raises many kinds; a bad score is skipped
                    meta = {"key": piece.key, "skipped": f"{type(err).__name__}: {str(err)[:120]}"}
                meta_path.parent.mkdir(parents=True, exist_ok=True)
                meta_path.write_text(json.dumps(meta))
                if meta.get("skipped"):
                    report["skipped"][label] = report["skipped"].get(label, 0) + 1
                    continue
            chosen.append((piece, midi, meta))
            got += 1
            if _complete(midi.with_suffix(".wav")):
                report["cached"] += 1
            else:
                pending.append(midi)
            if len(pending) >= batch:
                _render_batch(pending, soundfont)
                report["rendered"] += len(pending)
                pending = []
        if got < per_class:
            raise RenderError(f"only {got} usable pieces for {label!r}, wanted {per_class}")
    if pending:
        _render_batch(pending, soundfont)
        report["rendered"] += len(pending)
    import soundfile

    rendered = [Rendered(p, m.with_suffix(".wav"), soundfile.info(str(m.with_suffix(".wav"))).duration,
                         meta["tempo_bpm"], meta["notes"]) for p, m, meta in chosen]
    report["seconds"] = round(time.perf_counter() - started, 1)
    if verbose:
        skipped = sum(report["skipped"].values())
        print(f"{len(rendered)} pieces ({per_class} per class, first {seconds:g} s, all piano): "
              f"{report['rendered']} rendered now, {report['cached']} from the cache, "
              f"{skipped} unreadable or too short skipped, {report['seconds']:.0f} s")
    return rendered, report
