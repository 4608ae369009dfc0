"""cookbook.online.wikimedia_commons against its stand-in and hand-made failures."""

import numpy as np
import pytest

from cookbook import fixtures
from cookbook.fixtures import wikimedia_commons as samples
from cookbook.fixtures.loopback import Route, serve
from cookbook.online import wikimedia_commons as commons
from cookbook.vision.images import Photo, load_rgb


def photo(name, h=60, w=90, value=120):
    image = np.full((h, w, 3), value, np.uint8)
    image[:, : w // 2, 0] = 250
    return Photo(name, image, "test", "CC0")


PHOTOS = [photo("red_square"), photo("grey-cat", value=60)]


def test_file_names_from_wikidata_urls():
    url = "http://commons.wikimedia.org/wiki/Special:FilePath/Flock%20of%20sheep.jpg"
    assert commons.file_name(url) == "Flock of sheep.jpg"
    assert commons.file_name("File:Irish_Whiskey.jpg") == "Irish Whiskey.jpg"
    assert commons.file_url("Flock of sheep.jpg", 320, "http://x").endswith(
        "/wiki/Special:FilePath/Flock_of_sheep.jpg?width=320")
    assert commons.local_name("Ünïcode: name?.png") == "n_code_name.jpg"
    with pytest.raises(commons.CommonsError):
        commons.file_name("http://commons.wikimedia.org/wiki/Special:FilePath/")


def test_download_counts_bad_and_missing_files_and_resumes(tmp_path):
    rows = samples.picture_rows(PHOTOS)
    assert len(rows) == 4
    with serve(samples.routes(photos=PHOTOS)) as server:
        report = commons.download_images([r["pic"] for r in rows], tmp_path, width=40,
                                         base_url=server.base_url, pause=0)
        assert report.counts() == {"downloaded": 2, "already_there": 0, "not_found": 1, "bad": 1,
                                   "failed": 0, "usable": 2}
        assert report.not_found == [samples.MISSING_NAME]
        assert "not a readable image" in report.bad[samples.BROKEN_NAME]
        image = load_rgb(report.files["Red square.jpg"])
        assert image.shape == (27, 40, 3)  # the stand-in scales to ?width= like Commons
        assert "width=40" in server.requests[0]
        again = commons.download_images([r["pic"] for r in rows], tmp_path, base_url=server.base_url,
                                        pause=0)
        assert len(again.already_there) == 2 and again.downloaded == []
        assert sorted(p.name for p in tmp_path.iterdir()) == ["Grey_cat.jpg", "Red_square.jpg"]


def test_server_errors_are_retried_then_counted_and_cut_transfers_are_bad(tmp_path):
    good = samples.jpeg_bytes(PHOTOS[0].image)
    calls = []

    def flaky(path, query):
        calls.append(path)
        return Route(b"busy", status=503) if len(calls) == 1 else Route(good, content_type="image/jpeg")

    table = {"/wiki/Special:FilePath/Flaky.jpg": Route(handler=flaky),
             "/wiki/Special:FilePath/Down.jpg": Route(b"no", status=500),
             "/wiki/Special:FilePath/Forbidden.jpg": Route(b"no", status=403),
             "/wiki/Special:FilePath/Page.jpg": Route(b"<html></html>", content_type="text/html"),
             "/wiki/Special:FilePath/Cut.jpg": Route(good, truncate_at=len(good) // 2)}
    with serve(table) as server:
        report = commons.download_images(["Flaky.jpg", "Down.jpg", "Forbidden.jpg", "Page.jpg",
                                          "Cut.jpg"], tmp_path, base_url=server.base_url,
                                         pause=0.01, retries=1)
    assert report.downloaded == ["Flaky.jpg"] and len(calls) == 2
    assert report.failed["Down.jpg"] == "HTTP 500" and report.failed["Forbidden.jpg"] == "HTTP 403"
    assert "not a readable image" in report.bad["Page.jpg"]
    assert "Cut.jpg" in report.bad or "Cut.jpg" in report.failed  # short body or dropped link
    assert report.usable == 1 and not list(tmp_path.glob("*.part"))


def test_unreachable_host_is_counted_not_raised(tmp_path):
    report = commons.download_images(["A.jpg"], tmp_path, base_url="http://127.0.0.1:9",
                                     pause=0, timeout=2, retries=0)
    assert list(report.failed) == ["A.jpg"] and report.usable == 0


def test_standin_line_returns_the_real_address_online(monkeypatch):
    monkeypatch.setenv("DLCB_ONLINE", "1")
    assert fixtures.standin("wikimedia_commons") == commons.REAL_BASE_URL
