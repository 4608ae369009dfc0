"""The Stack Exchange dump client, exercised end to end against a loopback server, and the
stand-in (cookbook.fixtures.stackexchange) that serves it a real-format dump."""

import io

import pytest

from cookbook import fixtures
from cookbook.fixtures import stackexchange as fx
from cookbook.fixtures.loopback import Route, serve
from cookbook.online import stackexchange as se

THREADS = [
    {"title": "How do I convert a string to a number?",
     "question": "I have '144' & want an int <not a str>.",
     "answers": ["Use float() or int().", "Try eval (don't)."], "accepted": 0,
     "tags": ["python", "types"], "view_count": 120, "score": 5},
    {"title": "Why are default values shared between objects?",
     "question": "A mutable default argument keeps its changes.",
     "answers": ["Defaults are evaluated once, when the def runs.\nUse None instead."],
     "accepted": 0, "tags": ["python"], "view_count": 90, "score": 3},
    {"title": "Unanswered question", "question": "Nobody accepted anything.",
     "answers": ["A guess."], "accepted": None},
]


@pytest.fixture()
def sample_archive(tmp_path):
    path = tmp_path / "src" / "site.7z"
    path.parent.mkdir()
    path.write_bytes(fx.dump_7z(fx.posts_xml(THREADS)))
    return path


def test_dump_names_follow_the_archive_layout():
    assert se.dump_filename("travel.stackexchange.com") == "travel.stackexchange.com.7z"
    assert se.dump_filename("stackoverflow.com") == "stackoverflow.com-Posts.7z"
    assert se.dump_url("travel.stackexchange.com", "http://x/y/") == "http://x/y/travel.stackexchange.com.7z"


def test_iter_posts_streams_rows_and_honours_limit():
    xml = fx.posts_xml(THREADS)
    rows = list(se.iter_posts(io.BytesIO(xml)))
    assert len(rows) == 3 + 4  # three questions, four answers
    assert rows[0]["Title"] == THREADS[0]["title"]
    assert list(se.iter_posts(io.BytesIO(xml), limit=2)) == rows[:2]


def test_pairs_join_accepted_answers_and_clean_html():
    pairs = se.pair_accepted_answers(se.iter_posts(io.BytesIO(fx.posts_xml(THREADS))))
    assert [p["title"] for p in pairs] == [t["title"] for t in THREADS[:2]]
    first = pairs[0]
    assert first["answer"] == "Use float() or int()."
    assert first["question"] == "I have '144' & want an int <not a str>."
    assert first["tags"] == ["python", "types"] and first["view_count"] == 120
    assert "Use None instead." in pairs[1]["answer"]


def test_answer_seen_before_its_question_is_still_paired():
    posts = [{"Id": "9", "PostTypeId": "2", "ParentId": "1", "Body": "<p>early</p>"},
             {"Id": "1", "PostTypeId": "1", "AcceptedAnswerId": "9", "Title": "Q", "Body": ""}]
    assert se.pair_accepted_answers(posts)[0]["answer"] == "early"


def test_html_to_text():
    assert se.html_to_text("<p>a &lt;b&gt;\n<code>x = 1</code></p>") == "a <b> x = 1"


def test_download_extract_parse_over_loopback(sample_archive, tmp_path):
    body = sample_archive.read_bytes()
    with serve({"/se/travel.stackexchange.com.7z": Route(body)}) as server:
        archive = se.download_dump("travel.stackexchange.com", tmp_path / "dl",
                                   base_url=server.url("/se"))
        again = se.download_dump("travel.stackexchange.com", tmp_path / "dl",
                                 base_url=server.url("/se"))
        assert len(server.requests) == 1  # a complete archive on disk is reused
    assert again == archive and archive.read_bytes() == body
    posts_file = se.extract_posts(archive, tmp_path / "x")
    pairs = se.pair_accepted_answers(se.iter_posts(posts_file))
    assert len(pairs) == 2


def test_missing_site_raises_dump_not_found(tmp_path):
    with serve({}) as server:
        with pytest.raises(se.DumpNotFound, match="404"):
            se.download_dump("nope.stackexchange.com", tmp_path, base_url=server.url("/se"))


def test_cut_off_transfer_leaves_no_archive(sample_archive, tmp_path):
    body = sample_archive.read_bytes()
    route = Route(body, truncate_at=len(body) // 2)
    with serve({"/se/a.7z": route}) as server:
        with pytest.raises(se.StackExchangeError):
            se.download_dump("a", tmp_path / "dl", base_url=server.url("/se"))
    assert list((tmp_path / "dl").iterdir()) == []


def test_archive_without_posts_is_rejected(tmp_path):
    import py7zr

    bad = tmp_path / "bad.7z"
    with py7zr.SevenZipFile(bad, "w") as z:
        z.writestr(b"<users/>", "Users.xml")
    with pytest.raises(se.CorruptDump, match="no Posts.xml"):
        se.extract_posts(bad, tmp_path / "x")


def test_malformed_xml_is_reported():
    with pytest.raises(se.CorruptDump, match="not well-formed"):
        list(se.iter_posts(io.BytesIO(b"<posts><row Id='1' /><row")))


def test_standin_serves_the_sample_dump_to_the_real_client(tmp_path, monkeypatch):
    monkeypatch.delenv("DLCB_ONLINE", raising=False)
    base_url = fixtures.standin("stackexchange", site="travel.stackexchange.com", threads=THREADS)
    archive = se.download_dump("travel.stackexchange.com", tmp_path, base_url=base_url)
    rows = list(se.iter_posts(se.extract_posts(archive, tmp_path / "x")))
    assert len(rows) == 7 and len(se.pair_accepted_answers(rows)) == 2


def test_standin_online_is_the_archive(monkeypatch):
    monkeypatch.setenv("DLCB_ONLINE", "1")
    assert fixtures.standin("stackexchange") == se.DEFAULT_BASE_URL == fx.REAL_BASE_URL


def test_sample_threads_from_real_text():
    faq = [{"question": f"How do I do thing {i}?", "answer": f"Use tool {i}.", "category": "programming"}
           for i in range(40)]
    chat = [{"question": q, "answer": f"reply {n} to {q}", "category": c}
            for q, c in [("My printer is broken.", "tech_support"), ("Hello", "greetings"),
                         ("My laptop is slow.", "tech_support")] for n in range(5)]
    threads = fx.sample_threads(faq, chat)
    assert len(threads) == fx.FAQ_ACCEPTED + 2 + fx.FAQ_UNACCEPTED
    support = [t for t in threads if t["tags"] == ["tech-support"]]
    assert [t["title"] for t in support] == ["My laptop is slow.", "My printer is broken."]
    assert all(len(t["answers"]) == 3 and t["accepted"] == 0 for t in support)
    pairs = se.pair_accepted_answers(se.iter_posts(io.BytesIO(fx.posts_xml(threads))))
    assert len(pairs) == sum(t["accepted"] is not None for t in threads) == fx.FAQ_ACCEPTED + 2
    assert pairs[0]["answer"] == "Use tool 0." and pairs[0]["tags"] == ["python", "programming"]
