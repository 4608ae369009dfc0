"""Dialogue from novels and chat corpora (recipes 8.2 and 8.4).

Novels mark speech with quotation marks. Splitting a paragraph on the quote character leaves
narrative at the even positions and speech at the odd ones, so runs of quoted paragraphs that
are only lightly interrupted by narrative ("said Elizabeth") make a conversation. From a
conversation we take (prompt, reply) pairs: the last sentence of one turn and the first sentence
of the next, which is what a chatbot should learn to map.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from ..datasets.rpackages import read_r_lazyload
from .vocab import tokenize as _tokenize

# Typographic quotes become the plain ones most Gutenberg texts use; the single curly quotes are
# almost always apostrophes ("don’t"), so they become "'".
_QUOTE_MAP = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?])['\"]?\s+(?=[\"'(]?[A-Z0-9])")


def normalize_text(text: str) -> str:
    """Unify line ends and quotation marks so one extractor handles every book."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_QUOTE_MAP)


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each joined onto one line."""
    return [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _join_speech(pieces: Sequence[str]) -> str:
    """Glue the quoted pieces of one paragraph into one turn. '"Yes," said he, "I will."' has the
    pieces 'Yes,' and 'I will.'; when the next piece starts a new sentence the comma that the
    interruption left behind becomes a full stop."""
    turn = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if turn and piece[0].isupper() and turn.endswith(","):
            turn = turn[:-1] + "."
        turn = f"{turn} {piece}" if turn else piece
    return turn


def extract_conversations(text: str, quote: str = '"', max_narrative: int = 100,
                          min_turns: int = 2) -> list[list[str]]:
    """Conversations (lists of spoken turns) found in ``text``.

    A paragraph with speech adds one turn. The conversation ends at a paragraph without speech
    or when more than ``max_narrative`` characters of narrative precede the speech (a new scene);
    a long narrative tail after the speech ends it after that turn.
    """
    conversations: list[list[str]] = []
    current: list[str] = []

    def close() -> None:
        nonlocal current
        if len(current) >= min_turns:
            conversations.append(current)
        current = []

    for para in paragraphs(normalize_text(text)):
        chunks = para.split(quote)
        if len(chunks) < 3:  # no complete quotation in this paragraph
            close()
            continue
        if len(chunks[0].strip()) > max_narrative:
            close()
        turn = _join_speech(chunks[1::2])
        if turn:
            current.append(turn)
        # with an even number of chunks the last quote opens speech that continues next paragraph
        tail = chunks[-1] if len(chunks) % 2 == 1 else ""
        if len(tail.strip()) > max_narrative:
            close()
    close()
    return conversations


def split_sentences(text: str) -> list[str]:
    """A small rule-based sentence splitter (end punctuation followed by a capital)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def tokenize(text: str) -> list[str]:
    """The chatbot's tokens: :func:`cookbook.text.vocab.tokenize` keeping '?' (the book's
    choice): 'Is it?' -> ['is', 'it', '?']."""
    return _tokenize(text, punctuation="?")


def conversation_pairs(conversations: Iterable[Sequence[str]],
                       max_tokens: int | None = None) -> list[tuple[str, str]]:
    """(prompt, reply) pairs: last sentence of each turn -> first sentence of the next turn,
    as normalized token strings. Pairs with an empty side or longer than ``max_tokens`` go."""
    pairs = []
    for conv in conversations:
        for before, after in zip(conv, conv[1:]):
            sentences_before, sentences_after = split_sentences(before), split_sentences(after)
            if not sentences_before or not sentences_after:
                continue
            prompt, reply = tokenize(sentences_before[-1]), tokenize(sentences_after[0])
            if not prompt or not reply:
                continue
            if max_tokens and (len(prompt) > max_tokens or len(reply) > max_tokens):
                continue
            pairs.append((" ".join(prompt), " ".join(reply)))
    return pairs


def format_conversations(conversations: Iterable[Sequence[str]]) -> str:
    """The book's gutenberg.txt layout: one turn a line, a blank line between conversations."""
    return "\n\n".join("\n".join(conv) for conv in conversations) + "\n"


# --------------------------------------------------------------------------------------------
# offline sources


AUSTEN_NOVELS = ("emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice",
                 "sensesensibility")


def load_austen(rdb: Path, rdx: Path, novels: Sequence[str] = AUSTEN_NOVELS) -> dict[str, str]:
    """Jane Austen's novels as plain text (the R package stores one printed line per element)."""
    return {name: "\n".join(str(line) for line in read_r_lazyload(rdb, rdx, name)) for name in novels}


def load_chatterbot(folder: Path) -> list[list[str]]:
    """All conversations of the chatterbot-corpus YAML files in ``folder`` (sorted by file)."""
    import yaml

    conversations = []
    for path in sorted(Path(folder).glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for conv in data.get("conversations", []) or []:
            turns = [str(t).strip() for t in conv if t is not None and str(t).strip()]
            if len(turns) >= 2:
                conversations.append(turns)
    return conversations


def chat_pairs(conversations: Iterable[Sequence[str]], max_tokens: int | None = None) -> list[tuple[str, str]]:
    """(prompt, reply) pairs from a chat corpus: every consecutive pair of whole turns, tokenized
    (chat turns are short, so unlike novel dialogue we keep them whole)."""
    pairs = []
    for conv in conversations:
        for before, after in zip(conv, conv[1:]):
            prompt, reply = tokenize(before), tokenize(after)
            if prompt and reply and (not max_tokens or max(len(prompt), len(reply)) <= max_tokens):
                pairs.append((" ".join(prompt), " ".join(reply)))
    return pairs


# --------------------------------------------------------------------------------------------
# held-out split


def split_conversations(conversations: Sequence, fractions: Sequence[float] = (0.05, 0.05),
                        seed: int = 0) -> list[list]:
    """Shuffle whole conversations (seeded) and cut them into a training part plus one part per
    entry of ``fractions`` (the book holds out 5% for development and 5% for test). Splitting
    conversations rather than pairs matters: inside a conversation the reply of one pair is the
    prompt of the next, so a pair split puts held-out sentences into the training data."""
    order = np.random.default_rng(seed).permutation(len(conversations))
    sizes = [int(round(f * len(conversations))) for f in fractions]
    parts, lo = [], 0
    for size in sizes:
        parts.append([conversations[i] for i in order[lo:lo + size]])
        lo += size
    return [[conversations[i] for i in order[lo:]], *parts]


def sentences_of(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Every prompt and reply of ``pairs``."""
    return {side for pair in pairs for side in pair}


def unseen_pairs(pairs: Iterable[tuple[str, str]], seen: set[str]) -> list[tuple[str, str]]:
    """The pairs whose prompt and reply both are absent from ``seen``: short stock lines ("yes",
    "what is your name ?") recur across conversations, and a held-out pair made of them is not
    held out at all."""
    return [(p, r) for p, r in pairs if p not in seen and r not in seen]
