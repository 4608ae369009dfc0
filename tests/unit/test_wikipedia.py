"""cookbook.online.wikipedia: dump index, streaming parser, film extraction, API client."""

import bz2
import io
import json

import pytest

from cookbook import acquire
from cookbook.fixtures.loopback import Route, serve
from cookbook.fixtures import wikimedia_dumps, wikipedia as wikipedia_fx
from cookbook.online import wikipedia as wp

FILM_TEXT = """{{Short description|2015 film}}
{{Infobox film
| name = Test Movie
| director = [[Jane Doe]]
| gross = $12.5 million<ref>x</ref>
| budget =
}}
'''Test Movie''' is a [[2015 in film|2015]] film by [[Jane Doe]] set in [[Paris]].

On review aggregator [[Rotten Tomatoes]], the film holds an approval rating of 87% based on
120 reviews, with an average rating of 7.4/10.

[[Category:2015 films]]
"""

XML = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/">
<page><title>Test Movie</title><ns>0</ns><revision><text>{film}</text></revision></page>
<page><title>Talk:Test Movie</title><ns>1</ns><revision><text>chat</text></revision></page>
<page><title>Old name</title><ns>0</ns><redirect title="Test Movie" /><revision><text>#REDIRECT [[Test Movie]]</text></revision></page>
<page><title>Paris</title><ns>0</ns><revision><text>Capital of [[France]].</text></revision></page>
</mediawiki>"""


def _xml_bytes():
    from xml.sax.saxutils import escape

    return XML.format(film=escape(FILM_TEXT)).encode()


def test_parse_film_reads_infobox_links_and_ratings():
    film = wp.parse_film(wp.Page("Test Movie", FILM_TEXT))
    assert film.title == "Test Movie"
    assert film.infobox["director"] == "Jane Doe"
    assert "budget" not in film.infobox          # empty fields are dropped
    assert film.infobox["gross"].startswith("$12.5 million")
    assert "Rotten Tomatoes" in film.links and "Category:2015 films" in film.links
    assert film.rotten_tomatoes == "87%" and film.rating == "7.4/10"
    assert film.to_record()[0] == "Test Movie" and len(film.to_record()) == 5


def test_parse_film_ignores_non_films():
    assert wp.parse_film(wp.Page("Paris", "{{Infobox settlement|name=Paris}} [[France]]")) is None


@pytest.mark.parametrize("compress", [False, True])
def test_iter_dump_pages_streams_articles_only(compress, tmp_path):
    data = _xml_bytes()
    path = tmp_path / ("d.xml.bz2" if compress else "d.xml")
    path.write_bytes(bz2.compress(data) if compress else data)
    titles = [p.title for p in wp.iter_dump_pages(path)]
    assert titles == ["Test Movie", "Paris"]       # talk page and redirect skipped
    assert [p.title for p in wp.iter_dump_pages(path, max_pages=1)] == ["Test Movie"]
    everything = list(wp.iter_dump_pages(io.BytesIO(data), namespaces=None, skip_redirects=False))
    assert len(everything) == 4 and everything[2].redirect == "Test Movie"


def test_real_dump_excerpt_has_one_film():
    path = acquire.fetch("enwiki-excerpt")
    films = list(wp.iter_films(path))
    assert [f.title for f in films] == ["Actrius"]
    assert films[0].infobox["director"] == "Ventura Pons"


def test_find_latest_dump_skips_unfinished_and_streams_over_http():
    routes = wikimedia_dumps.routes(bz2.compress(_xml_bytes()), dates=("20240401", "20240501", "20240601"),
                                     finished=2)
    with serve(routes) as server:
        assert wp.list_dumps(server.url("/enwiki/")) == ["20240601", "20240501", "20240401"]
        url = wp.find_latest_dump(server.url("/enwiki/"))
        assert url.endswith("/enwiki/20240501/enwiki-20240501-pages-articles.xml.bz2")
        assert [f.title for f in wp.iter_films(url)] == ["Test Movie"]


def test_find_latest_dump_fails_clearly_without_finished_dump():
    with serve(wikimedia_dumps.routes(b"", finished=0)) as server:
        with pytest.raises(wp.WikipediaError, match="no finished"):
            wp.find_latest_dump(server.url("/enwiki/"))


def test_truncated_dump_transfer_raises():
    body = bz2.compress(_xml_bytes() * 50)
    routes = {"/d.xml.bz2": Route(body, truncate_at=len(body) // 2)}
    with serve(routes) as server:
        with pytest.raises(Exception):
            list(wp.iter_dump_pages(server.url("/d.xml.bz2")))


def test_api_wikitext_and_missing_page():
    with serve(wikipedia_fx.routes(pages={"Test Movie": FILM_TEXT})) as server:
        api = server.url("/w/api.php")
        assert "Infobox film" in wp.fetch_page_wikitext("Test Movie", api_url=api)
        with pytest.raises(wp.WikipediaError):
            wp.fetch_page_wikitext("No such page", api_url=api)


def test_api_links_follow_continuation():
    def handler(path, query):
        part = (query.get("plcontinue") or ["first"])[0]
        if part == "first":
            body = {"continue": {"plcontinue": "second", "continue": "||"},
                    "query": {"pages": [{"title": "X", "links": [{"title": "A"}, {"title": "B"}]}]}}
        else:
            body = {"query": {"pages": [{"title": "X", "links": [{"title": "C"}]}]}}
        return Route(json.dumps(body).encode(), content_type="application/json")

    with serve({"/w/api.php": Route(handler=handler)}) as server:
        assert wp.fetch_page_links("X", api_url=server.url("/w/api.php")) == ["A", "B", "C"]
        assert wp.fetch_page_links("X", api_url=server.url("/w/api.php"), limit=2) == ["A", "B"]


def test_http_errors_surface():
    with serve({}) as server:
        with pytest.raises(Exception):
            wp.list_dumps(server.url("/enwiki/"))
