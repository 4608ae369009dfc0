"""Wikidata through its SPARQL endpoint (query.wikidata.org).

Wikidata stores facts as (subject, predicate, object) triples, for instance
``(Q146 house cat) <- P31 "instance of" - (some famous cat)``. SPARQL asks for every binding of a
triple pattern; the endpoint answers in the W3C "SPARQL 1.1 Query Results JSON" format, which
:func:`rows` flattens into plain dicts.

Offline, the same client runs against :mod:`cookbook.fixtures.wikidata`, which answers in that
exact format.
"""

from __future__ import annotations

from typing import Mapping
from . import USER_AGENT

ENDPOINT = "https://query.wikidata.org/sparql"

# The book's example: every house cat (instance of Q146) with its picture when it has one.
CATS_WITH_PICTURES = """
SELECT ?item ?itemLabel ?pic WHERE {
  ?item wdt:P31 wd:Q146 .
  OPTIONAL { ?item wdt:P18 ?pic }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "[AUTO_LANGUAGE],en" }
}"""

# Countries with their ISO 3166-1 codes (P297 alpha-2, P298 alpha-3): used offline because the
# book repository's countries.csv holds the real answer to it.
COUNTRIES_WITH_ISO_CODES = """
SELECT ?countryLabel ?iso2 ?iso3 WHERE {
  ?country wdt:P31 wd:Q6256 ; wdt:P297 ?iso2 ; wdt:P298 ?iso3 .
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en" }
}"""


class SparqlError(RuntimeError):
    """The endpoint refused the query or answered something that is not a SPARQL result."""


def sparql(query: str, endpoint: str = ENDPOINT, timeout: float = 60.0, session=None) -> dict:
    """Run ``query`` and return the decoded SPARQL JSON result."""
    import requests

    http = session or requests.Session()
    try:
        response = http.get(endpoint, params={"query": query, "format": "json"}, timeout=timeout,
                            headers={"Accept": "application/sparql-results+json",
                                     "User-Agent": USER_AGENT})
    except requests.RequestException as err:
        raise SparqlError(f"could not reach {endpoint}: {type(err).__name__}: {err}") from err
    if response.status_code != 200:
        # WDQS explains syntax errors and timeouts in a plain-text body
        raise SparqlError(f"SPARQL endpoint answered HTTP {response.status_code}: "
                          f"{response.text.strip()[:300]}")
    try:
        result = response.json()
    except ValueError:
        raise SparqlError("SPARQL endpoint answered 200 but not with JSON") from None
    if "results" not in result or "bindings" not in result.get("results", {}):
        raise SparqlError("answer is not a SPARQL JSON result (no results.bindings)")
    return result


def rows(result: Mapping) -> list[dict]:
    """Flatten SPARQL JSON bindings into dicts of plain strings; OPTIONAL variables that did not
    bind are None (the JSON simply leaves them out)."""
    names = result.get("head", {}).get("vars", [])
    return [{name: binding[name]["value"] if name in binding else None for name in names}
            for binding in result["results"]["bindings"]]


def query_rows(query: str, endpoint: str = ENDPOINT, **kwargs) -> list[dict]:
    return rows(sparql(query, endpoint, **kwargs))


def entity_id(uri: str | None) -> str | None:
    """'http://www.wikidata.org/entity/Q146' -> 'Q146'."""
    return uri.rsplit("/", 1)[-1] if uri else None
