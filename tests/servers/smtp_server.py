"""A real SMTP server for the delivery tests (aiosmtpd), on 127.0.0.1.

Every accepted message is saved as DIR/NNNN.json (envelope: mail_from, rcpt_tos,
auth_user, tls) and then DIR/NNNN.eml (the DATA bytes as received, dot-unstuffed),
each written atomically, so a reader that sees the .eml sees both. The port is
written to --port-file once the server accepts connections. SIGTERM and SIGINT
stop it cleanly (exit status 0); so does the end of stdin with
--exit-on-stdin-eof, which the Rust harness passes so that a killed test process
leaves no server behind.

Run with Debian's /usr/bin/python3 and python3-aiosmtpd (scripts/setup --tests).
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError as e:
    sys.exit(f"smtp_server.py: cannot import aiosmtpd with {sys.executable} ({e}): run scripts/setup --tests")

REJECTED = "550 5.1.1 mailbox unavailable"
TRY_AGAIN = "451 4.3.0 try again later"


def write_atomic(path, data):
    """Writes `data` (bytes) to `path` through a temporary file and a rename."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.tmp")
    with open(temp, "wb") as f:
        f.write(data)
    os.replace(temp, path)


class Handler:
    """Answers RCPT and DATA as the options ask and saves what it accepts."""

    def __init__(self, args):
        self.dir = args.dir
        self.reject = {a.lower() for a in args.reject}
        # Address -> RCPT attempts still to refuse, for the server's whole life.
        self.tempfail = {}
        for spec in args.tempfail:
            address, _, count = spec.rpartition(":")
            if not address or not count.isdigit():
                sys.exit(f"smtp_server.py: --tempfail wants ADDR:N, not {spec!r}")
            self.tempfail[address.lower()] = int(count)
        self.tempfail_data = args.tempfail_data
        self.offer_auth = bool(args.auth)
        self.accepted = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        # aiosmtpd offers AUTH (bound to fail) even when no credentials are set.
        return [r for r in responses if self.offer_auth or not r.startswith("250-AUTH")]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        if key in self.reject:
            return REJECTED
        if self.tempfail.get(key, 0) > 0:
            self.tempfail[key] -= 1
            return TRY_AGAIN
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Refused once the data is in, where a real server's checks refuse it.
        if self.tempfail_data > 0:
            self.tempfail_data -= 1
            return TRY_AGAIN
        self.accepted += 1
        stem = os.path.join(self.dir, f"{self.accepted:04d}")
        tls = server.transport is not None and server.transport.get_extra_info("ssl_object") is not None
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "auth_user": session.auth_data if session.authenticated else None,
            "tls": tls,
        }
        write_atomic(stem + ".json", json.dumps(meta).encode())
        write_atomic(stem + ".eml", envelope.original_content)
        return f"250 2.0.0 OK queued as {self.accepted:04d}"


def authenticator_for(user, password):
    """An aiosmtpd authenticator accepting exactly `user` and `password` (PLAIN, LOGIN)."""

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # Not handled: aiosmtpd answers the failure itself, with 535 5.7.8.
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)

    return authenticate


def server_context(cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True, help="where accepted messages are saved")
    p.add_argument("--port-file", required=True, help="written with the port once listening")
    p.add_argument("--port", type=int, default=0, help="port to bind (default: one the OS picks)")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"), help="offer STARTTLS")
    tls.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"), help="TLS from the first byte")
    p.add_argument("--require-tls", action="store_true", help="refuse MAIL (530) before STARTTLS")
    p.add_argument("--auth", metavar="USER:PASS", help="require AUTH PLAIN or LOGIN with these")
    p.add_argument("--reject", action="append", default=[], metavar="ADDR", help="RCPT gets 550")
    p.add_argument("--tempfail", action="append", default=[], metavar="ADDR:N", help="first N RCPT get 451")
    p.add_argument("--tempfail-data", type=int, default=0, metavar="N", help="first N DATA get 451")
    p.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when stdin closes")
    args = p.parse_args()
    if args.require_tls and not args.starttls:
        p.error("--require-tls needs --starttls")
    return args


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Handler(args)
    options = {"hostname": "localhost", "loop": loop, "auth_require_tls": False}
    if args.starttls:
        options["tls_context"] = server_context(*args.starttls)
        options["require_starttls"] = args.require_tls
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep:
            sys.exit(f"smtp_server.py: --auth wants USER:PASS, not {args.auth!r}")
        options["authenticator"] = authenticator_for(user, password)
        options["auth_required"] = True
    implicit = server_context(*args.implicit_tls) if args.implicit_tls else None
    server = await loop.create_server(
        lambda: SMTP(handler, **options), host="127.0.0.1", port=args.port, ssl=implicit
    )
    port = server.sockets[0].getsockname()[1]
    write_atomic(args.port_file, f"{port}\n".encode())

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:

        def on_stdin():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()

        loop.add_reader(sys.stdin.fileno(), on_stdin)
    await stop.wait()
    server.close()
    # asyncio.run cancels the connections still open.


def main():
    args = parse_args()
    os.makedirs(args.dir, exist_ok=True)
    # Plain AUTH is allowed on purpose (tests choose TLS or not); not worth a warning.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
