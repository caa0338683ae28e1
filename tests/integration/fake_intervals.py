"""A local stand-in for intervals.icu's activity upload, following its published API:
``POST /api/v1/athlete/{id}/activities``, multipart ``file`` (+ ``name``,
``external_id``), Basic auth ``API_KEY:<key>``; 201 with ``{"id": ...}``, 401 for a wrong
key, and ``fail_next`` answers of 503 to stand for an outage."""

from __future__ import annotations

import base64
import json
import re
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeIntervals:
    def __init__(self, athlete_id: str = "i42", api_key: str = "secret-key") -> None:
        self.athlete_id, self.api_key = athlete_id, api_key
        self.uploads: list[dict[str, object]] = []
        self.fail_next = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, doc: dict[str, object]) -> None:
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # the name http.server calls
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                m = re.fullmatch(r"/api/v1/athlete/([^/]+)/activities", self.path)
                if m is None or m.group(1) != fake.athlete_id:
                    return self._answer(404, {"status": 404, "error": "Not Found"})
                wanted = base64.b64encode(f"API_KEY:{fake.api_key}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {wanted}":
                    return self._answer(401, {"status": 401, "error": "Unauthorized"})
                if fake.fail_next > 0:
                    fake.fail_next -= 1
                    return self._answer(503, {"status": 503, "error": "Service Unavailable"})
                msg = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
                parts = {p.get_param("name", header="content-disposition"):
                         p.get_payload(decode=True) for p in msg.iter_parts()}
                if b"file" not in {k.encode() for k in parts if k}:
                    return self._answer(422, {"status": 422, "error": "no file"})
                fake.uploads.append({k: v for k, v in parts.items()})
                self._answer(201, {"id": f"i{1000 + len(fake.uploads)}", "type": "Run"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeIntervals:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
