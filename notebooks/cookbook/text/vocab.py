"""The one tokenizer and the one vocabulary type every text chapter uses.

Id scheme (the same for characters and for words): the *reserved* tokens a vocabulary declares
come first, in the order given, then the real tokens, most frequent first (ties in code-point
order, so the ids never depend on dict or set iteration). Typical declarations:

==========================  ===============================  ====================================
use                         ``reserved``                     ids
==========================  ===============================  ====================================
character LSTM (ch. 5)      ``(UNK,)``                       0 unknown, 1.. characters
classifier inputs (ch. 7)   ``(PAD, UNK)`` (the default)     0 padding, 1 unknown, 2.. tokens
seq2seq targets (ch. 8)     ``(PAD, START, END)``            0 padding, 1 start, 2 end, 3.. chars
==========================  ===============================  ====================================

A vocabulary without ``UNK`` drops unknown tokens when encoding; one with ``UNK`` maps them to it.
Saved models keep their vocabulary as ``vocab.to_dict()`` in the model card, so a loaded model
always gets exactly the ids it was trained with.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Mapping, Sequence

import numpy as np

PAD, UNK, START, END = "<pad>", "<unk>", "<s>", "</s>"

# A word is a run of letters or digits, with inner apostrophes kept ("don't", "o'clock").
_WORD = r"[^\W_]+(?:['’][^\W_]+)*"


def strip_accents(text: str) -> str:
    """'café' -> 'cafe': decompose, then drop the combining marks."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _pattern(handles: bool, punctuation: str) -> re.Pattern:
    word = (r"[#@]?" if handles else "") + _WORD
    if punctuation:
        word += "|[" + re.escape(punctuation) + "]"
    return re.compile(word)


_PATTERNS: dict[tuple[bool, str], re.Pattern] = {}


def tokenize(text: str, *, lowercase: bool = True, accents: bool = True, handles: bool = False,
             punctuation: str = "") -> list[str]:
    """Split ``text`` into word tokens.

    ``accents=False`` folds 'é' to 'e'; ``handles=True`` keeps social-media '#tags' and '@names'
    whole; every character in ``punctuation`` becomes a token of its own (the chatbot keeps '?').
    Underscores separate words, so 'you_see' gives 'you', 'see'."""
    if lowercase:
        text = text.lower()
    if not accents:
        text = strip_accents(text)
    key = (handles, punctuation)
    if key not in _PATTERNS:
        _PATTERNS[key] = _pattern(handles, punctuation)
    return _PATTERNS[key].findall(text)


@dataclass(frozen=True)
class Vocabulary:
    """Tokens <-> ids under the module's id scheme: ``reserved`` first, then ``tokens``."""

    tokens: tuple[str, ...]
    reserved: tuple[str, ...] = (PAD, UNK)

    def __post_init__(self):
        object.__setattr__(self, "tokens", tuple(self.tokens))
        object.__setattr__(self, "reserved", tuple(self.reserved))
        clash = set(self.tokens) & set(self.reserved)
        if clash:
            raise ValueError(f"tokens {sorted(clash)} are also reserved")

    # ---- building

    @classmethod
    def fit(cls, sequences: Iterable[Iterable[str]], *, reserved: Sequence[str] = (PAD, UNK),
            max_size: int | None = None, min_count: int = 1) -> "Vocabulary":
        """Count the tokens of ``sequences`` (strings count their characters) and keep those seen
        at least ``min_count`` times, most frequent first, at most ``max_size`` ids in all."""
        counts: Counter = Counter()
        for seq in sequences:
            counts.update(seq)
        for token in reserved:
            counts.pop(token, None)
        ranked = sorted((t for t, n in counts.items() if n >= min_count), key=lambda t: (-counts[t], t))
        if max_size is not None:
            ranked = ranked[: max(0, max_size - len(reserved))]
        return cls(tuple(ranked), tuple(reserved))

    @classmethod
    def from_dict(cls, data: Mapping) -> "Vocabulary":
        return cls(tuple(data["tokens"]), tuple(data["reserved"]))

    def to_dict(self) -> dict:
        return {"reserved": list(self.reserved), "tokens": list(self.tokens)}

    # ---- lookups

    @property
    def size(self) -> int:
        return len(self.reserved) + len(self.tokens)

    def __len__(self) -> int:
        return self.size

    @cached_property
    def index(self) -> dict[str, int]:
        return {tok: i for i, tok in enumerate(self.reserved + self.tokens)}

    def id(self, token: str) -> int:
        return self.index[token]

    def token(self, i: int) -> str:
        return (self.reserved + self.tokens)[int(i)]

    @property
    def unknown_id(self) -> int | None:
        return self.index.get(UNK)

    # ---- encoding

    def encode(self, sequence: str | Sequence[str]) -> np.ndarray:
        """One sequence -> 1-d int32 ids. A string is read as characters (vectorised for
        character vocabularies, so a 5-million-character corpus encodes in a fraction of a
        second); unknown tokens map to ``UNK`` or, without it, are dropped."""
        if isinstance(sequence, str) and self._char_table is not None:
            return self._encode_chars(sequence)
        unk = self.unknown_id
        index = self.index
        if unk is None:
            return np.asarray([index[t] for t in sequence if t in index], dtype=np.int32)
        return np.asarray([index.get(t, unk) for t in sequence], dtype=np.int32)

    def encode_batch(self, sequences: Sequence[str | Sequence[str]], length: int, *,
                     start: bool = False, end: bool = False, reverse: bool = False) -> np.ndarray:
        """Many sequences -> a right-padded ``(n, length)`` matrix (``PAD`` must be reserved).
        ``reverse`` flips each sequence before adding the optional ``START``/``END`` markers."""
        pad = self.index[PAD]
        out = np.full((len(sequences), length), pad, dtype=np.int32)
        head = [self.index[START]] if start else []
        tail = [self.index[END]] if end else []
        for row, seq in enumerate(sequences):
            ids = self.encode(seq[::-1] if reverse else seq).tolist()
            ids = (head + ids + tail)[:length]
            out[row, : len(ids)] = ids
        return out

    def decode(self, ids: Iterable[int], sep: str = "") -> str:
        """Ids -> text: reserved ids are skipped and decoding stops at ``END``."""
        end = self.index.get(END)
        first = len(self.reserved)
        out = []
        for i in ids:
            i = int(i)
            if i == end:
                break
            if i >= first:
                out.append(self.tokens[i - first])
        return sep.join(out)

    @cached_property
    def _char_table(self) -> np.ndarray | None:
        if not self.tokens or any(len(t) != 1 for t in self.tokens):
            return None
        missing = -1
        table = np.full(max(ord(c) for c in self.tokens) + 1, missing, dtype=np.int32)
        for offset, char in enumerate(self.tokens):
            table[ord(char)] = offset + len(self.reserved)
        return table

    def _encode_chars(self, text: str) -> np.ndarray:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        table = self._char_table
        ids = np.full(len(codes), -1, dtype=np.int32)
        inside = codes < len(table)
        ids[inside] = table[codes[inside]]
        unk = self.unknown_id
        if unk is None:
            return ids[ids >= 0]
        ids[ids < 0] = unk
        return ids
