"""Compressed answers (issue 15, point 5): pages, styles, SVG and JSON in the encoding the
client accepts, personal pages included, streamed exports still streamed, ETags per encoding,
byte ranges left alone."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest
from flask import Blueprint

from linkage.exports import csv_response
from linkage.extensions import db
from linkage.security import PUBLIC, allow
from linkage.tables import Column, Table

from .conftest import make_app

STATIC = Path(__file__).resolve().parent.parent / "static"
GZIP = {"Accept-Encoding": "gzip"}


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


def test_a_page_is_compressed_for_a_client_that_accepts_it(client):
    plain = client.get("/catalog")
    packed = client.get("/catalog", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(packed)
    html = gzip.decompress(packed.get_data())
    assert html == plain.get_data()
    assert int(packed.headers["Content-Length"]) == len(packed.get_data()) < len(html) / 3


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [
        ("gzip, deflate, br", "br", brotli.decompress),
        ("gzip;q=1.0, br;q=0.5", "gzip", gzip.decompress),
        ("deflate", "deflate", zlib.decompress),
        ("identity", None, bytes),
    ],
)
def test_the_encoding_follows_the_clients_preference(client, accept, encoding, decode):
    plain = client.get("/catalog").get_data()
    response = client.get("/catalog", headers={"Accept-Encoding": accept})
    assert response.headers.get("Content-Encoding") == encoding
    assert decode(response.get_data()) == plain


def test_a_personal_no_store_page_is_compressed_too(client, login_as):
    login_as("buyer")
    response = client.get("/account", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<!doctype html>" in gzip.decompress(response.get_data())


def test_json_is_compressed_and_a_tiny_answer_is_not(client):
    spec = client.get("/api/v1/openapi.json", headers=GZIP)
    assert spec.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(spec.get_data()).startswith(b"{")
    probe = client.get("/healthz", headers=GZIP)  # a few bytes: not worth a gzip header
    assert "Content-Encoding" not in probe.headers
    assert probe.json == {"status": "ok"}


def test_a_static_file_is_compressed_with_an_etag_of_its_own(client):
    css = (STATIC / "css" / "app.css").read_bytes()
    first = client.get("/static/css/app.css", headers=GZIP)
    body = first.get_data()
    first.close()
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == css
    etag = first.headers["ETag"]
    assert etag.endswith(':gzip"')  # not the ETag of the file as stored
    again = client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag})
    again.close()
    assert again.status_code == 304
    plain = client.get("/static/css/app.css", headers={"If-None-Match": etag})
    assert plain.status_code == 200  # the uncompressed file is another representation
    assert plain.get_data() == css
    plain.close()
    head = client.head("/static/css/app.css", headers=GZIP)  # nothing read: the file is closed
    head.close()
    assert head.status_code == 200


def test_a_byte_range_is_sent_as_stored(client):
    css = (STATIC / "css" / "app.css").read_bytes()
    response = client.get("/static/css/app.css", headers={**GZIP, "Range": "bytes=0-4999"})
    assert response.status_code == 206
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == css[:5000]  # more than COMPRESS_MIN_SIZE
    response.close()


def _app_with_an_export(database_url: str, rows: int, **config):
    app = make_app(database_url, **config)
    pages = Blueprint("export_test", __name__)
    table = Table(
        slug="numbers",
        title="Numbers",
        columns=[Column("n", "Number", "int"), Column("name", "Name")],
    )

    @pages.route("/export-test.csv")
    @allow(PUBLIC)
    def export() -> object:
        table.rows = ({"n": n, "name": f"Hộ gia đình {n}"} for n in range(rows))
        return csv_response(table, [("Period", "2026-01")], "numbers.csv")

    app.register_blueprint(pages)
    return app


@pytest.mark.usefixtures("_schema")  # a fresh app on the run's database
def test_a_streamed_csv_export_stays_streamed_and_is_compressed(database_url):
    app = _app_with_an_export(database_url, rows=20_000)
    client = app.test_client()
    try:
        plain = client.get("/export-test.csv")
        expected = plain.get_data()
        plain.close()
        assert int(plain.headers["Content-Length"]) == len(expected)
        packed = client.get("/export-test.csv", headers=GZIP)
        chunks = list(packed.response)  # read as a client does, piece by piece
        packed.close()
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Content-Length" not in packed.headers  # sent as it is compressed
        assert len(chunks) > 1
        assert gzip.decompress(b"".join(chunks)) == expected
        assert packed.headers["Content-Disposition"] == plain.headers["Content-Disposition"]
        head = client.head("/export-test.csv", headers=GZIP)  # nothing read: the file is closed
        head.close()
        assert head.status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.usefixtures("_schema")  # a fresh app on the run's database
def test_compression_can_be_left_to_a_reverse_proxy(database_url, monkeypatch):
    monkeypatch.setenv("COMPRESS_RESPONSES", "0")
    app = make_app(database_url)
    try:
        response = app.test_client().get("/catalog", headers=GZIP)
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert b"<!doctype html>" in response.get_data()
    finally:
        with app.app_context():
            db.engine.dispose()
