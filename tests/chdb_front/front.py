"""A ClickHouse HTTP interface over chdb (in-process ClickHouse 26.x), for vigil's tests.

Only 18.16 installs as a server here; chdb-core from PyPI is the current engine as a
library. This front speaks the part of ClickHouse's HTTP interface that vigil's client
(src/clickhouse/client.cpp) uses, so the integration tests can run against 26.x:

- POST / with the SQL in the body; GET or POST with `query=` in the URL (a body then
  follows the query text, as ClickHouse appends it for INSERT data); GET /ping.
- URL parameters: `database` (the statement's default database), `default_format`
  (TabSeparated when absent), `wait_end_of_query` (always the behaviour here: a result is
  computed whole before the answer starts). Other parameters are ignored.
- User `default` by HTTP basic auth (or X-ClickHouse-User/-Key, or user=/password=); with
  --password set, anything else is refused with code 516 and HTTP 401, as ClickHouse does.
- Errors: an HTTP status by the exception code's class (400, 401, 404, 500, ...), the
  header X-ClickHouse-Exception-Code, and the body "Code: N. DB::Exception: ... (NAME)
  (version V)".
- Data lives in --data (a chdb session path), so tables outlive requests and restarts of
  the front. Statements run one at a time (one chdb session, one lock).
- Gaps, none of which vigil uses: SET and temporary tables outlive their request (one
  session for all); no session_id, compression, progress headers, streaming or
  mid-stream exceptions (a result is sent whole, or an error instead).

VIGIL_CHDB_FRONT_LOG=FILE appends each refused statement and its error to FILE.

Start: python front.py --data DIR [--port 0] [--password PW]. It prints the port it
listens on (127.0.0.1) as one line on stdout, then serves until stdin closes (the test
binary holding the pipe exited or died) or SIGTERM.
"""

import argparse
import base64
import os
import re
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import chdb
from chdb import session as chdb_session

# Exception codes that current ClickHouse answers with a status other than 500.
_STATUS_BY_CODE = {}
for _status, _codes in {
    400: (6, 25, 26, 27, 38, 41, 53, 62, 69, 117, 167, 168, 36),
    401: (192, 193, 194, 516),
    403: (164, 497),
    404: (46, 47, 50, 56, 60, 63, 73, 81, 115, 336),
    413: (202,),
    501: (48,),
    503: (209, 76),
    504: (159,),
}.items():
    for _code in _codes:
        _STATUS_BY_CODE[_code] = _status

_FAILURE_LOG = os.environ.get("VIGIL_CHDB_FRONT_LOG", "")
_CODE = re.compile(r"Code: (\d+)\.")


class Engine:
    """One chdb session shared by all requests, used under a lock."""

    def __init__(self, path):
        self._session = chdb_session.Session(path)
        self._lock = threading.Lock()
        self.version = self.run("SELECT version()", "default", "TabSeparated").decode().strip()

    def run(self, sql, database, fmt):
        with self._lock:
            self._session.query("USE " + quote_ident(database), "TabSeparated")
            result = self._session.query(sql, fmt)
            return result.bytes() if result is not None else b""

    def close(self):
        with self._lock:
            self._session.close()


def quote_ident(name):
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def credentials(handler, params):
    """(user, password) from basic auth, ClickHouse's headers or the URL."""
    auth = handler.headers.get("Authorization", "")
    if auth.startswith("Basic "):
        try:
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return user or "default", password
        except ValueError:
            return "", ""
    user = handler.headers.get("X-ClickHouse-User") or params.get("user", "default")
    password = handler.headers.get("X-ClickHouse-Key") or params.get("password", "")
    return user, password


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    engine = None
    password = ""

    def log_message(self, *args):  # quiet: the tests print what matters
        pass

    def do_GET(self):
        self.handle_request(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.handle_request(self.rfile.read(length) if length else b"")

    def handle_request(self, body):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path.rstrip("/") == "/ping":
            return self.answer(200, b"Ok.\n")
        user, password = credentials(self, params)
        if user != "default" or password != self.password:
            return self.fail(516, f"{user}: Authentication failed: password is incorrect, "
                                  "or there is no user with such name.")
        sql = params.get("query", "")
        if body:
            sql = sql + ("\n" if sql else "") + body.decode("utf-8", "replace")
        if not sql.strip():
            return self.fail(62, "Empty query.")
        self.sql = sql
        database = params.get("database") or "default"
        fmt = params.get("default_format") or "TabSeparated"
        try:
            out = self.engine.run(sql, database, fmt)
        except Exception as e:  # chdb raises ChdbError (a RuntimeError) with ClickHouse's text
            text = str(e)
            match = _CODE.search(text)
            code = int(match.group(1)) if match else 1001
            if match:
                text = text[match.end():].strip()
                text = text[len("DB::Exception: "):] if text.startswith("DB::Exception: ") else text
            return self.fail(code, text)
        self.answer(200, out, {"X-ClickHouse-Format": fmt})

    def fail(self, code, text):
        if _FAILURE_LOG:  # VIGIL_CHDB_FRONT_LOG: every refused statement, for debugging a test
            with open(_FAILURE_LOG, "a", encoding="utf-8") as log:
                log.write(f"--- Code: {code}. {text}\n{getattr(self, 'sql', '')}\n")
        body = f"Code: {code}. DB::Exception: {text} (version {self.engine.version})\n".encode()
        self.answer(_STATUS_BY_CODE.get(code, 500), body, {"X-ClickHouse-Exception-Code": str(code)})

    def answer(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-ClickHouse-Server-Display-Name", "chdb-front")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="chdb session directory (kept)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--password", default="", help="of user default")
    args = parser.parse_args()
    os.makedirs(args.data, exist_ok=True)
    Handler.engine = Engine(args.data)
    Handler.password = args.password
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        server.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()
    Handler.engine.close()
    sys.stdout.flush()
    os._exit(0)  # not a normal exit: the thread blocked on stdin would hang interpreter shutdown


if __name__ == "__main__":
    main()
