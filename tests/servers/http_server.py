"""A real HTTP server for the webhook tests (stdlib http.server, threaded), on 127.0.0.1.

Every POST is saved, before it is answered, as DIR/NNNN.json = {"path", "headers"
(lower-cased name: value, repeated headers joined with ", "), "body" (UTF-8, invalid
bytes replaced), "status" (what it was answered)}, written atomically and numbered in
order of arrival. POSTs are answered 200, or --fail-status for the first --fail-first
of them; GET /health answers 200. The port is written to --port-file once the server
accepts connections. SIGTERM and SIGINT stop it cleanly (exit status 0); so does the
end of stdin with --exit-on-stdin-eof.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def write_atomic(path, data):
    """Writes `data` (bytes) to `path` through a temporary file and a rename."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{threading.get_ident()}.tmp")
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


class State:
    """What the request threads share: the count of POSTs and the options."""

    def __init__(self, args):
        self.dir = args.dir
        self.fail_first = args.fail_first
        self.fail_status = args.fail_status
        self.posts = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, {"ok": True})
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        body = self.read_body()
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        state = self.state
        with state.lock:
            state.posts += 1
            number = state.posts
            status = state.fail_status if number <= state.fail_first else 200
            record = {
                "path": self.path,
                "headers": headers,
                "body": body.decode("utf-8", errors="replace"),
                "status": status,
            }
            write_atomic(os.path.join(state.dir, f"{number:04d}.json"), json.dumps(record).encode())
        if status == 200:
            self.answer(200, {"ok": True})
        else:
            self.answer(status, {"error": "failing on purpose", "request": number})

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    # Trailers, up to the empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status, value):
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="where POSTs are saved")
    p.add_argument("--port-file", required=True, help="written with the port once listening")
    p.add_argument("--port", type=int, default=0, help="port to bind (default: one the OS picks)")
    p.add_argument("--fail-first", type=int, default=0, metavar="N", help="answer the first N POSTs with --fail-status")
    p.add_argument("--fail-status", type=int, default=500, metavar="CODE", help="status of the failed POSTs (500)")
    p.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes")
    return p.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def stop(*_):
        # shutdown() waits for serve_forever, so it cannot run on the thread serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.exit_on_stdin_eof:

        def watch_stdin():
            # os.read, not sys.stdin: a buffered reader's lock held by this thread at
            # exit aborts the interpreter.
            while os.read(sys.stdin.fileno(), 4096):
                pass
            stop()

        threading.Thread(target=watch_stdin, daemon=True).start()
    port = server.server_address[1]
    write_atomic(args.port_file, f"{port}\n".encode())
    server.serve_forever(poll_interval=0.05)
    server.server_close()


if __name__ == "__main__":
    main()
