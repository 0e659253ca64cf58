"""Intake fixtures: the 泰迪杯 files, small derived copies, and a local HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tests.ingest.intake_helpers import TAIDI, Site, read_csv_rows, write_csv


@pytest.fixture
def taidi_slice(tmp_path: Path) -> Callable[[str, int], Path]:
    """The first ``n`` rows of a 泰迪杯 CSV as a new file."""

    def make(name: str, n: int) -> Path:
        header, rows = read_csv_rows(TAIDI / name)
        return write_csv(tmp_path / f"slice_{n}_{name}", header, rows[:n])

    return make


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            status, headers, body, delay = state.routes.get(self.path, (404, {}, b"not found", 0.0))
            if delay:
                time.sleep(delay)
            etag = headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
