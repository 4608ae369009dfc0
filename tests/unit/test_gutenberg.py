"""cookbook.online.gutenberg against a loopback server: layouts, stripping, errors, cache."""

import pytest

from cookbook.fixtures.loopback import Route, serve
from cookbook.online import gutenberg as gb

BODY = ("THE SONNETS\n\n1\n\nFrom fairest creatures we desire increase,\n"
        "That thereby beauty's rose might never die,\n")

MODERN = ("\ufeffThe Project Gutenberg eBook of The Complete Works of William Shakespeare\n\n"
          "This eBook is for the use of anyone anywhere in the United States...\n\n"
          "*** START OF THE PROJECT GUTENBERG EBOOK THE COMPLETE WORKS OF WILLIAM SHAKESPEARE ***\n"
          + BODY +
          "\n*** END OF THE PROJECT GUTENBERG EBOOK THE COMPLETE WORKS OF WILLIAM SHAKESPEARE ***\n\n"
          "Updated editions will replace the previous one...\n")

OLDER = ("The Project Gutenberg EBook of Hamlet, by William Shakespeare\r\n\r\n"
         "*** START OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\r\n\r\n\r\n"
         "Produced by Someone and the Online Distributed\r\nProofreading Team\r\n\r\n"
         + BODY.replace("\n", "\r\n") +
         "\r\nEnd of the Project Gutenberg EBook of Hamlet, by William Shakespeare\r\n\r\n"
         "*** END OF THIS PROJECT GUTENBERG EBOOK HAMLET ***\r\n")

SMALL_PRINT = ("**The Project Gutenberg Etext of Shakespeare's Sonnets**\n"
               "*** START OF THE PROJECT GUTENBERG EBOOK SONNETS ***\n"
               "**Welcome To The World of Free Plain Vanilla Electronic Texts**\n"
               "*****SMALL PRINT!*****\n... licence ...\n"
               "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n"
               + BODY + "\nEnd of Project Gutenberg's Etext of Shakespeare's Sonnets\n")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("text", [MODERN, OLDER, SMALL_PRINT], ids=["modern", "older", "small-print"])
def test_strip_headers_keeps_only_the_body(text):
    assert gb.strip_headers(text) == BODY.strip("\n")


def test_strip_headers_leaves_unmarked_text_alone():
    assert gb.strip_headers("\n\nJust a text.\nNo markers.\n") == "Just a text.\nNo markers."


def test_fetch_book_cache_epub_layout_and_strip():
    with serve({"/cache/epub/100/pg100.txt": Route(MODERN.encode(), content_type="text/plain")}) as srv:
        text = gb.fetch_book(100, base_url=srv.url("/cache/epub"))
        body = gb.fetch_book(100, base_url=srv.url("/cache/epub"), strip=True)
    assert "START OF THE PROJECT" in text
    assert body == BODY.strip("\n")


def test_fetch_book_falls_back_to_flat_layout_and_latin1():
    raw = OLDER.replace("increase", "incr\xe9ase").encode("latin-1")
    with serve({"/books/1524.txt": Route(raw)}) as srv:
        body = gb.fetch_book(1524, base_url=srv.url("/books"), strip=True)
        tried = list(srv.requests)
    assert "incr\xe9ase" in body
    assert tried == ["/books/cache/epub/1524/pg1524.txt", "/books/files/1524/1524-0.txt",
                     "/books/1524/pg1524.txt", "/books/1524/1524-0.txt", "/books/1524.txt"]


def test_the_default_address_is_gutenberg_org_cache_layout():
    assert gb.book_urls(1041)[0] == "https://www.gutenberg.org/cache/epub/1041/pg1041.txt"


def test_fetch_book_uses_the_cache_second_time():
    with serve({"/b/7.txt": Route(MODERN.encode())}) as srv:
        gb.fetch_book(7, base_url=srv.url("/b"))
        before = len(srv.requests)
        gb.fetch_book(7, base_url=srv.url("/b"))
        assert len(srv.requests) == before


def test_missing_book_raises_book_not_found():
    with serve({}) as srv:
        with pytest.raises(gb.BookNotFound, match="not found"):
            gb.fetch_book(99999, base_url=srv.url("/books"), retries=0)


def test_cut_off_transfer_raises_corrupt_and_is_not_cached():
    with serve({"/b/5.txt": Route(MODERN.encode(), truncate_at=40)}) as srv:
        with pytest.raises(gb.CorruptBook, match="cut off"):
            gb.fetch_book(5, base_url=srv.url("/b"), retries=0)
    with serve({"/b/5.txt": Route(MODERN.encode())}) as srv:  # same path, new port: not cached
        assert gb.fetch_book(5, base_url=srv.url("/b"), strip=True) == BODY.strip("\n")


@pytest.mark.parametrize("raw,why", [(b"\x00\x01PK\x03\x04" * 50, "binary"),
                                     (b"<!DOCTYPE html><html>Error</html>", "HTML"),
                                     (b"   \n", "empty")])
def test_corrupt_content_is_rejected(raw, why):
    with serve({"/b/3.txt": Route(raw)}) as srv:
        with pytest.raises(gb.CorruptBook, match=why):
            gb.fetch_book(3, base_url=srv.url("/b"), retries=0)


def test_server_errors_are_retried_then_reported():
    with serve({"/b/4.txt": Route(b"oops", status=503)}) as srv:
        with pytest.raises(gb.GutenbergError, match="503"):
            gb.fetch_book(4, base_url=srv.url("/b"), retries=1, backoff=0.01)
        assert srv.requests.count("/b/4.txt") == 2  # after four 404 layouts, retried once


@pytest.mark.parametrize("bad", [0, -3, "abc", 1.5])
def test_bad_ids_are_refused(bad):
    with pytest.raises(ValueError):
        gb.book_urls(bad)
