"""The chapter 1 online clients against their stand-ins (cookbook.fixtures): success, paging and
failure modes."""

from __future__ import annotations

import json

import pytest

from cookbook import credentials
from cookbook.fixtures.loopback import Route, serve
from cookbook.fixtures import archive as archive_fx, crawl as crawl_fx, flickr as flickr_fx
from cookbook.fixtures import flickr_static, osm as osm_fx, twitter as twitter_fx, wikidata as wikidata_fx
from cookbook.online import twitter

TWEETS = twitter_fx.archive_to_v2([
    {"id_str": str(1000 + i), "text": f"tweet number {i} about {'taxes' if i % 2 else 'jobs'}",
     "created_at": "Sun Jun 18 11:02:04 +0000 2017"} for i in range(250)])


# ----------------------------------------------------------------------------------- X / Twitter

def test_archive_to_v2_converts_the_old_date_format():
    tweet = TWEETS[0]
    assert tweet["id"] == "1000" and tweet["text"].startswith("tweet number 0")
    assert tweet["created_at"] == "2017-06-18T11:02:04.000Z"


def test_search_recent_follows_next_token_across_pages():
    with serve({"/2/tweets/search/recent": twitter_fx.search_route(TWEETS)}) as server:
        got = twitter.search_recent("jobs", max_results=110, bearer_token="t",
                                    base_url=server.url("/2"))
        assert len(got) == 110
        assert all("jobs" in t["text"] for t in got)
        assert len({t["id"] for t in got}) == 110  # pages do not repeat tweets
        assert len(server.requests) == 2 and "next_token=100" in server.requests[1]


def test_search_recent_stops_when_results_run_out():
    with serve({"/2/tweets/search/recent": twitter_fx.search_route(TWEETS[:30])}) as server:
        got = twitter.search_recent("taxes", max_results=50, bearer_token="t",
                                    base_url=server.url("/2"))
        assert len(got) == 15 and len(server.requests) == 1


def test_search_recent_without_token_raises_missing_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)
    monkeypatch.setenv("DLCB_CREDENTIALS", str(tmp_path / "none.env"))
    with pytest.raises(credentials.MissingCredentials, match="X_BEARER_TOKEN"):
        twitter.search_recent("cats", base_url="http://127.0.0.1:9")


def test_search_recent_explains_http_errors():
    unauthorized = json.dumps({"title": "Unauthorized", "type": "about:blank", "status": 401,
                               "detail": "Unauthorized"}).encode()
    routes = {"/bad/tweets/search/recent": Route(unauthorized, status=401,
                                                 content_type="application/json"),
              "/slow/tweets/search/recent": Route(b"{}", status=429,
                                                  headers={"x-rate-limit-reset": "1700000000"})}
    with serve(routes) as server:
        with pytest.raises(twitter.XApiError, match="401.*revoked") as err:
            twitter.search_recent("x", bearer_token="t", base_url=server.url("/bad"))
        assert err.value.status == 401
        with pytest.raises(twitter.XApiError, match="429.*1700000000"):
            twitter.search_recent("x", bearer_token="t", base_url=server.url("/slow"))


def test_search_recent_reports_an_unreachable_server():
    with pytest.raises(twitter.XApiError, match="could not reach"):
        twitter.search_recent("x", bearer_token="t", base_url="http://127.0.0.1:9/2", timeout=2)


# ------------------------------------------------------------------------------------ Wikidata

from cookbook.online import archive, crawl, flickr, osm, wikidata  # noqa: E402


def test_sparql_rows_flatten_bindings_and_keep_unbound_optionals_as_none():
    result = wikidata_fx.results_json(["item", "itemLabel", "pic"], [
        {"item": "http://www.wikidata.org/entity/Q1", "itemLabel": "one", "pic": None},
        {"item": "http://www.wikidata.org/entity/Q2", "itemLabel": "two",
         "pic": "http://commons.wikimedia.org/wiki/Special:FilePath/x.jpg"}])
    assert result["results"]["bindings"][0]["item"]["type"] == "uri"
    assert "pic" not in result["results"]["bindings"][0]
    with serve({"/sparql": wikidata_fx.sparql_route(result)}) as server:
        got = wikidata.query_rows(wikidata.CATS_WITH_PICTURES, endpoint=server.url("/sparql"))
    assert [r["itemLabel"] for r in got] == ["one", "two"]
    assert got[0]["pic"] is None and wikidata.entity_id(got[1]["item"]) == "Q2"


def test_sparql_errors_are_explained():
    with serve({"/sparql": wikidata_fx.sparql_route({"head": {}, "results": {"bindings": []}}),
                "/notjson": Route(b"<html>maintenance</html>", content_type="text/html"),
                "/other": Route(b'{"hello": 1}', content_type="application/json")}) as server:
        with pytest.raises(wikidata.SparqlError, match="(?s)HTTP 400.*MalformedQuery"):
            wikidata.sparql("ASK broken", endpoint=server.url("/sparql"))
        with pytest.raises(wikidata.SparqlError, match="not with JSON"):
            wikidata.sparql("SELECT ?x {}", endpoint=server.url("/notjson"))
        with pytest.raises(wikidata.SparqlError, match="not a SPARQL JSON result"):
            wikidata.sparql("SELECT ?x {}", endpoint=server.url("/other"))


# ------------------------------------------------------------------------------- OpenStreetMap

OSM_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="test">
 <node id="1" lat="51.7651" lon="-0.2337"><tag k="highway" v="bus_stop"/></node>
 <node id="2" lat="51.7660" lon="-0.2300"/>
 <node id="3" lat="51.7670" lon="-0.2290"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
 <relation id="20"><member type="way" ref="10" role=""/><tag k="type" v="route"/></relation>
</osm>"""


def test_osm_xml_parse_counts_elements_and_keeps_way_order():
    data = osm.parse_osm_xml(OSM_XML)
    assert data.counts() == {"nodes": 3, "ways": 1, "relations": 1}
    assert data.way_coordinates(10) == [(-0.2337, 51.7651), (-0.23, 51.766), (-0.229, 51.767)]
    assert data.relations[20][0] == [("way", 10, "")]
    assert osm.tag_counts(data, "highway") == {"footway": 1}


def test_osm_fetch_map_over_loopback_and_bbox_checks():
    with serve({"/api/0.6/map": osm_fx.map_route(OSM_XML)}) as server:
        data = osm.parse_osm_xml(osm.fetch_map((-0.24, 51.76, -0.22, 51.77),
                                               base_url=server.url("/api/0.6")))
        assert data.counts()["ways"] == 1
        with pytest.raises(ValueError, match="square degrees"):
            osm.fetch_map((-1, 50, 1, 52), base_url=server.url("/api/0.6"))
    with pytest.raises(ValueError, match="bad bbox"):
        osm.check_bbox((1, 52, -1, 50))
    with pytest.raises(osm.OsmError, match="root element"):
        osm.parse_osm_xml(b"<html/>")


def test_real_pbf_features_round_trip_through_osm_xml():
    from cookbook import acquire

    layers = osm.read_pbf_layers(acquire.fetch("osm-sample-pbf"))
    data = osm.parse_osm_xml(osm_fx.features_to_osm_xml(layers["points"], layers["lines"]))
    assert data.counts()["ways"] == len(layers["lines"]) > 10
    real_ids = {int(i) for i in layers["points"]["osm_id"]}
    assert real_ids <= set(data.nodes)                 # points keep their real OSM ids
    assert all(i < 0 for i in set(data.nodes) - real_ids)  # way vertices get negative ids
    assert data.nodes[502550970][2]["highway"] == "bus_stop"
    assert all(51.7 < lat < 51.8 and -0.3 < lon < -0.2 for lat, lon, _ in data.nodes.values())


# -------------------------------------------------------------------------------------- Flickr

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 200 + b"\xff\xd9"


def test_flickr_search_and_download_and_error_in_a_200_answer():
    photos = {"7": ("black cat", JPEG), "8": ("dog", JPEG)}
    routes = {**flickr_fx.routes(photos, "key"),
              **{"/static" + path: route for path, route in flickr_static.routes(photos).items()}}
    with serve(routes) as server:
        found = flickr.search_photos("cat", api_key="key", base_url=server.url("/services/rest/"))
        assert [p["id"] for p in found] == ["7"]
        assert flickr.download_photo(found[0], static_url=server.url("/static")) == JPEG
        with pytest.raises(flickr.FlickrError, match="Invalid API Key") as err:
            flickr.search_photos("cat", api_key="nope", base_url=server.url("/services/rest/"))
        assert err.value.code == 100
        server.add(f"/static/65535/7_s7_q.jpg", Route(JPEG, truncate_at=50))
        with pytest.raises(flickr.FlickrError):
            flickr.download_photo(found[0], static_url=server.url("/static"))
        with pytest.raises(flickr.FlickrError, match="HTTP 404"):
            flickr.download_photo({"id": "9", "secret": "x", "server": "1"},
                                  static_url=server.url("/static"))


def test_flickr_without_key_raises_missing_credentials(monkeypatch, tmp_path):
    for name in ("FLICKR_API_KEY", "FLICKR_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DLCB_CREDENTIALS", str(tmp_path / "none.env"))
    with pytest.raises(credentials.MissingCredentials):
        flickr.search_photos("cat", base_url="http://127.0.0.1:9/")


# ----------------------------------------------------------------------------- Internet Archive

DATA = bytes(range(256)) * 40


def _archive_server():
    items = {"demo-item": {"metadata": {"title": "Demo texts"},
                           "files": {"a.txt": (DATA, "Text")}}}
    return serve(archive_fx.routes(items))


def test_archive_search_list_and_verified_download(tmp_path):
    with _archive_server() as server:
        hits = archive.search("demo", base_url=server.url("/"))
        assert hits == [{"identifier": "demo-item", "title": "Demo texts"}]
        files = archive.item_files("demo-item", base_url=server.url("/"))
        assert files[0]["size"] == str(len(DATA))
        path = archive.download_file("demo-item", "a.txt", tmp_path, base_url=server.url("/"))
        assert path.read_bytes() == DATA


def test_archive_failures_leave_no_file(tmp_path):
    with _archive_server() as server:
        with pytest.raises(archive.ArchiveError, match="no archive.org item"):
            archive.item_files("missing", base_url=server.url("/"))
        with pytest.raises(archive.ArchiveError, match="has no file"):
            archive.download_file("demo-item", "b.txt", tmp_path, base_url=server.url("/"))
        files = archive.item_files("demo-item", base_url=server.url("/"))
        server.add("/download/demo-item/a.txt", Route(DATA, truncate_at=100))
        with pytest.raises(archive.ArchiveError, match="broke off|got 100 bytes"):
            archive.download_file("demo-item", "a.txt", tmp_path, base_url=server.url("/"),
                                  files=files)
        server.add("/download/demo-item/a.txt", Route(DATA[::-1]))
        with pytest.raises(archive.ArchiveError, match="MD5"):
            archive.download_file("demo-item", "a.txt", tmp_path, base_url=server.url("/"),
                                  files=files)
        server.add("/download/demo-item/a.txt", Route(b"", status=503))
        with pytest.raises(archive.ArchiveError, match="HTTP 503"):
            archive.download_file("demo-item", "a.txt", tmp_path, base_url=server.url("/"),
                                  files=files)
    assert list(tmp_path.iterdir()) == []  # no partial or corrupt file left behind


# ------------------------------------------------------------------------------------ crawling

SITE = {"Home": (["Start here."], ["A", "B", "Missing"]),
        "A": (["Page A."], ["B", "Secret"]),
        "B": (["Page B."], ["Home", "C"]),
        "C": (["Page C."], []),
        "Secret": (["Hidden."], ["C"])}


def test_page_links_resolves_relative_links_and_drops_fragments():
    title, links, text = crawl.page_links(
        '<title>T</title><a href="/x#top">x</a><a href="y">y</a><a href="/x">again</a>'
        '<a href="mailto:a@b">m</a>', "http://h/dir/page")
    assert title == "T" and links == ["http://h/x", "http://h/dir/y"] and "again" in text


def test_crawl_is_breadth_first_obeys_robots_and_records_failures():
    robots = f"User-agent: *\nDisallow: {crawl.wiki_path('Secret')}\n"
    with serve(crawl_fx.routes(SITE, robots)) as server:
        result = crawl.crawl(server.url(crawl.wiki_path("Home")), max_pages=20, delay=0)
    titles = [p["title"] for p in result.pages.values()]
    assert titles == ["Home", "A", "B", "C"]          # breadth-first order
    assert any(u.endswith("/Secret") for u in result.skipped_by_robots)
    assert list(result.failed.values()) == ["HTTP 404"]  # the red link
    assert result.link_graph()[server.url(crawl.wiki_path("B"))] == [
        server.url(crawl.wiki_path("Home")), server.url(crawl.wiki_path("C"))]


def test_crawl_respects_the_page_budget_and_can_ignore_robots():
    with serve(crawl_fx.routes(SITE, "User-agent: *\nDisallow: /\n")) as server:
        assert crawl.crawl(server.url(crawl.wiki_path("Home")), delay=0).pages == {}
        result = crawl.crawl(server.url(crawl.wiki_path("Home")), max_pages=2, delay=0,
                             obey_robots=False)
    assert len(result.pages) + len(result.failed) == 2
