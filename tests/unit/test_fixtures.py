"""Every stand-in of cookbook.fixtures, exercised through fixtures.standin() with the real client
of cookbook.online: one success and one failure with a clear error per service."""

from __future__ import annotations

import bz2

import pytest

from cookbook import fixtures
from cookbook.online import archive, crawl, flickr, gutenberg, osm, twitter, wikidata, wikipedia


@pytest.fixture(autouse=True)
def _offline(monkeypatch, tmp_path):
    monkeypatch.delenv("DLCB_ONLINE", raising=False)
    monkeypatch.setenv("DLCB_CACHE", str(tmp_path / "cache"))


def test_online_switch_returns_the_real_address(monkeypatch):
    monkeypatch.setenv("DLCB_ONLINE", "1")
    assert fixtures.standin("gutenberg", books={}) == "https://www.gutenberg.org"
    assert fixtures.standin("wikidata") == "https://query.wikidata.org"
    assert fixtures.standin("twitter") == twitter.API_BASE


def test_gutenberg_serves_a_real_format_file_at_the_real_layout():
    body = "THE SONNETS\n\nFrom fairest creatures we desire increase,"
    base_url = fixtures.standin("gutenberg", books={1041: body}, titles={1041: "Sonnets"})
    raw = gutenberg.fetch_book(1041, base_url=base_url, cache=False)
    assert raw.startswith("\ufeffThe Project Gutenberg eBook of Sonnets")
    assert "*** START OF THE PROJECT GUTENBERG EBOOK SONNETS ***" in raw
    assert gutenberg.strip_headers(raw) == body
    with pytest.raises(gutenberg.BookNotFound, match="book 99999 not found.*HTTP 404"):
        gutenberg.fetch_book(99999, base_url=base_url, cache=False, retries=0)


def test_twitter_pages_and_rejects_a_bad_page_size():
    from cookbook.fixtures.twitter import archive_to_v2

    tweets = archive_to_v2([{"id_str": str(i), "text": f"jobs {i}",
                             "created_at": "Sun Jun 18 11:02:04 +0000 2017"} for i in range(25)])
    base_url = fixtures.standin("twitter", tweets=tweets)
    got = twitter.search_recent("jobs", max_results=25, bearer_token="t", base_url=base_url)
    assert [t["id"] for t in got] == [str(i) for i in range(25)]
    with pytest.raises(twitter.XApiError, match="400.*invalid") as err:
        twitter.search_recent("jobs", max_results=1, bearer_token="t", base_url=base_url,
                              session=_FixedPageSize(5))
    assert err.value.status == 400


class _FixedPageSize:
    """A requests session that asks for a page size the client itself would never send."""

    def __init__(self, size):
        import requests

        self.size, self.http = size, requests.Session()

    def get(self, url, params=None, **kwargs):
        return self.http.get(url, params={**params, "max_results": self.size}, **kwargs)


def test_wikipedia_api_page_links_and_missing_page():
    text = "A [[2015 in film|2015]] film set in [[Paris]]. [[Category:2015 films]]"
    api_url = fixtures.standin("wikipedia", pages={"Test Movie": text}) + "/w/api.php"
    assert wikipedia.fetch_page_wikitext("Test Movie", api_url=api_url) == text
    assert wikipedia.fetch_page_links("Test Movie", api_url=api_url) == ["2015 in film", "Paris"]
    with pytest.raises(wikipedia.WikipediaError, match="no Wikipedia page titled 'Nope'"):
        wikipedia.fetch_page_wikitext("Nope", api_url=api_url)


def test_wikimedia_dumps_latest_finished_dump_and_none_finished():
    xml = (b'<mediawiki><page><title>Paris</title><ns>0</ns><revision><text>Capital.</text>'
           b'</revision></page></mediawiki>')
    base_url = fixtures.standin("wikimedia_dumps", dump=bz2.compress(xml))
    url = wikipedia.find_latest_dump(base_url + "/enwiki/")
    assert url.endswith("/enwiki/20240501/enwiki-20240501-pages-articles.xml.bz2")
    assert [p.title for p in wikipedia.iter_dump_pages(url)] == ["Paris"]
    none_done = fixtures.standin("wikimedia_dumps", finished=0)
    with pytest.raises(wikipedia.WikipediaError, match="no finished"):
        wikipedia.find_latest_dump(none_done + "/enwiki/")


def test_wikidata_rows_and_a_malformed_query():
    rows = [{"countryLabel": "France", "iso2": "FR"}, {"countryLabel": "Peru", "iso2": "PE"}]
    endpoint = fixtures.standin("wikidata", answer=rows) + "/sparql"
    got = wikidata.query_rows(wikidata.COUNTRIES_WITH_ISO_CODES, endpoint=endpoint)
    assert got == rows
    with pytest.raises(wikidata.SparqlError, match="(?s)HTTP 400.*MalformedQuery"):
        wikidata.sparql("ASK broken", endpoint=endpoint)


def test_osm_map_and_a_too_large_box_refused_by_the_server():
    xml = (b'<osm version="0.6"><node id="1" lat="51.76" lon="-0.23"/>'
           b'<way id="2"><nd ref="1"/><tag k="highway" v="footway"/></way></osm>')
    api = fixtures.standin("osm", xml=xml) + "/api/0.6"
    data = osm.parse_osm_xml(osm.fetch_map((-0.24, 51.76, -0.22, 51.77), base_url=api))
    assert osm.tag_counts(data, "highway") == {"footway": 1}
    import requests

    answer = requests.get(api + "/map", params={"bbox": "-1,50,1,52"}, timeout=10)
    assert answer.status_code == 400 and "maximum bbox size" in answer.text


JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100 + b"\xff\xd9"


def test_flickr_search_download_and_invalid_key():
    photos = {"7": ("black cat", JPEG), "8": ("dog", JPEG)}
    rest_url = fixtures.standin("flickr", photos=photos, valid_key="key") + "/services/rest/"
    static_url = fixtures.standin("flickr_static", photos=photos)
    found = flickr.search_photos("cat", api_key="key", base_url=rest_url)
    assert [p["id"] for p in found] == ["7"]
    assert flickr.download_photo(found[0], static_url=static_url) == JPEG
    with pytest.raises(flickr.FlickrError, match="Invalid API Key") as err:
        flickr.search_photos("cat", api_key="wrong", base_url=rest_url)
    assert err.value.code == 100


def test_archive_search_download_and_unknown_item(tmp_path):
    items = {"demo": {"metadata": {"title": "Demo texts"}, "files": {"a.txt": (b"abc" * 9, "Text")}}}
    base_url = fixtures.standin("archive", items=items)
    assert archive.search("demo", base_url=base_url) == [{"identifier": "demo", "title": "Demo texts"}]
    path = archive.download_file("demo", "a.txt", tmp_path, base_url=base_url)
    assert path.read_bytes() == b"abc" * 9
    with pytest.raises(archive.ArchiveError, match="no archive.org item 'missing'"):
        archive.item_files("missing", base_url=base_url)


def test_crawl_site_with_robots_and_a_red_link():
    pages = {"Home": (["Start."], ["A", "Missing"]), "A": (["Page A."], ["Home"])}
    base_url = fixtures.standin("crawl", pages=pages, robots_txt="User-agent: *\nDisallow: /wiki/A\n")
    result = crawl.crawl(base_url + crawl.wiki_path("Home"), delay=0)
    assert [p["title"] for p in result.pages.values()] == ["Home"]
    assert list(result.failed.values()) == ["HTTP 404"] and len(result.skipped_by_robots) == 1


def test_twitter_stand_in_understands_the_search_operators_the_book_uses():
    from cookbook.online import twitter

    tweets = [{"id": "1", "text": "RT @a: make it great", "created_at": "2017-01-01T00:00:00.000Z"},
              {"id": "2", "text": "it is great", "created_at": "2017-01-02T00:00:00.000Z"},
              {"id": "3", "text": "sad news", "created_at": "2017-01-03T00:00:00.000Z"}]
    base = fixtures.standin("twitter", tweets=tweets)
    found = twitter.search_recent("lang:en -is:retweet", max_results=10, bearer_token="t", base_url=base)
    assert sorted(t["id"] for t in found) == ["2", "3"]
    found = twitter.search_recent("great -sad", max_results=10, bearer_token="t", base_url=base)
    assert sorted(t["id"] for t in found) == ["1", "2"]
