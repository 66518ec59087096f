"""Compressed answers (flask-compress), with two fixes to how it treats streamed answers.

Pages, API answers, stylesheets, SVG and CSV exports are compressed in the best encoding the
client accepts (config.py `COMPRESS_*`, README "Compression and static files"); every answer
says `Vary: Accept-Encoding`. Personal pages (`Cache-Control: no-store`) are compressed like
any other: the headers say whether a copy may be kept, not how the bytes travel.

- flask-compress replaces a streamed body (a static file, an export) with a compressing
  generator and never closes the body it replaced: a static file's descriptor would be left
  open until the garbage collector finds it, and an export that is not read to its end (a
  HEAD request, a 304) would keep its temporary file. The replaced body is closed with the
  answer.
- A 206 answer holds the bytes of a range of the file as stored; compressed, it would no
  longer be the range asked for. It is sent as it is.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress as BaseCompress


class Compress(BaseCompress):
    """flask-compress that closes the streamed body it replaces and leaves ranges alone."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and response.status_code == 206:
            return response
        body = response.response if response is not None else None
        answer = super().after_request(response)
        if body is not None and answer.response is not body and hasattr(body, "close"):
            answer.call_on_close(body.close)
        return answer


def register_compression(app: Flask) -> Compress:
    """Compression for this app (one object per app: a shared one keeps the last app's
    settings). Registered before every other after_request hook, so that it runs last."""
    compress = Compress(app)
    app.extensions["compress"] = compress
    return compress
