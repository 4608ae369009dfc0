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

from ..datasets.rpackages import read_r_lazyload  # noqa: F401  (re-exported for the notebooks)

# Typographic quotes become the plain ones most Gutenberg texts use; the single curly quotes are
# almost always apostrophes ("don’t"), so they become "'".
_QUOTE_MAP = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?])['\"]?\s+(?=[\"'(]?[A-Z0-9])")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|\?")


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
    """Lower-case word tokens plus '?', as the book's chatbot data: 'Is it?' -> ['is', 'it', '?']."""
    return _TOKEN.findall(text.lower().replace("_", " "))


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


def gutenberg_file(title: str, author: str, body: str, book_id: int) -> str:
    """Wrap a public-domain text in Project Gutenberg's plain-text layout (licence header with the
    START marker, body, END marker and licence footer), to serve the online path on loopback."""
    return (f"\ufeffThe Project Gutenberg eBook of {title}\r\n\r\n"
            "This ebook is for the use of anyone anywhere in the United States and\r\n"
            "most other parts of the world at no cost and with almost no restrictions\r\n"
            "whatsoever.\r\n\r\n"
            f"Title: {title}\r\n\r\nAuthor: {author}\r\n\r\n"
            f"Release date: see https://www.gutenberg.org/ebooks/{book_id}\r\n\r\n"
            "Language: English\r\n\r\n"
            f"*** START OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\r\n\r\n"
            + body.replace("\n", "\r\n")
            + f"\r\n\r\n*** END OF THE PROJECT GUTENBERG EBOOK {title.upper()} ***\r\n\r\n"
            "Updated editions will replace the previous one--the old editions will\r\n"
            "be renamed.\r\n")
