import pytest

from cookbook import credentials


@pytest.fixture(autouse=True)
def no_keys(tmp_path, monkeypatch):
    for names in credentials.SERVICES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DLCB_CREDENTIALS", str(tmp_path / "credentials.env"))
    return tmp_path / "credentials.env"


def test_missing_keys_give_a_clear_message():
    assert not credentials.have("flickr")
    with pytest.raises(credentials.MissingCredentials) as err:
        credentials.get("flickr")
    assert "FLICKR_API_KEY" in str(err.value) and "offline" in str(err.value)


def test_keys_from_env_and_file(no_keys, monkeypatch):
    monkeypatch.setenv("X_BEARER_TOKEN", "from-env")
    assert credentials.get("x") == {"X_BEARER_TOKEN": "from-env"}
    no_keys.write_text("# comment\nSPOTIFY_CLIENT_ID = 'abc'\nSPOTIFY_CLIENT_SECRET=def\n")
    assert credentials.get("spotify") == {"SPOTIFY_CLIENT_ID": "abc", "SPOTIFY_CLIENT_SECRET": "def"}


def test_malformed_file_and_unknown_service(no_keys):
    no_keys.write_text("just a token\n")
    with pytest.raises(ValueError, match="NAME=value"):
        credentials.get("x")
    with pytest.raises(KeyError):
        credentials.get("myspace")
