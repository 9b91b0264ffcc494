#!/usr/bin/env python3
"""Docker Hub's shape on one TLS port, for tests run in private namespaces where
registry-1.docker.io, auth.docker.io and cdn.docker.test resolve to 127.0.0.1.

- auth.docker.io: GET /token?service=registry.docker.io&scope=repository:NAME:ACTIONS hands
  out Bearer tokens: anonymous pull for every repository except those under --private, which
  need Basic credentials (--user), and `forbidden/*`, which nobody may pull. Wrong
  credentials get 401. Like Docker Hub, a token is handed out even when it grants nothing.
- registry-1.docker.io: every /v2/ request needs a token with the access it asks for (401
  with a Bearer challenge naming realm, service and scope, or error="insufficient_scope");
  then it is relayed to the real registry (--upstream, plain HTTP). Blob GETs are redirected
  to the CDN host, as Docker Hub does.
- cdn.docker.test: serves blobs with no authentication.

Every request is logged as a JSON line (host, method, path, Authorization header) to --log, so
that the tests can check which host received which credentials.
"""

import argparse
import base64
import http.client
import http.server
import json
import re
import secrets
import ssl
import threading
import urllib.parse

REALM = "https://auth.docker.io/token"
SERVICE = "registry.docker.io"
REPO_PATH = re.compile(r"^/v2/(.+?)/(manifests|blobs|tags|referrers)/")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=443)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--upstream", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--user", required=True, help="USER:PASSWORD")
    p.add_argument("--private", required=True, help="repository prefix that needs login")
    args = p.parse_args()

    tokens = {}
    lock = threading.Lock()
    log = open(args.log, "a", encoding="utf-8")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def record(self):
            with lock:
                log.write(json.dumps({
                    "host": (self.headers.get("Host") or "").split(":")[0],
                    "method": self.command,
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                }) + "\n")
                log.flush()

        def reply(self, status, body=b"", headers=None, length=None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def route(self):
            self.record()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = (self.headers.get("Host") or "").split(":")[0]
            if host == "auth.docker.io":
                return self.token()
            if host == "cdn.docker.test":
                return self.relay(self.path, body)
            if host == "registry-1.docker.io":
                return self.registry(body)
            self.reply(404, b"unknown host\n")

        def token(self):
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/token" or self.command != "GET":
                return self.reply(404, b"not found\n")
            query = urllib.parse.parse_qs(url.query)
            user = None
            auth = self.headers.get("Authorization")
            if auth:
                scheme, _, value = auth.partition(" ")
                try:
                    given = base64.b64decode(value).decode()
                except Exception:
                    given = None
                if scheme.lower() != "basic" or given != args.user:
                    return self.reply(401, b'{"details":"incorrect username or password"}\n',
                                      {"Content-Type": "application/json"})
                user = given.split(":")[0]
            granted = set()
            for scope in query.get("scope", []):
                parts = scope.split(":")
                if len(parts) != 3 or parts[0] != "repository":
                    continue
                name = parts[1]
                for action in parts[2].split(","):
                    if name.startswith("forbidden/"):
                        continue
                    if action == "pull" and (user or not name.startswith(args.private)):
                        granted.add((name, action))
            token = secrets.token_hex(16)
            with lock:
                tokens[token] = granted
            body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
            self.reply(200, body, {"Content-Type": "application/json"})

        def registry(self, body):
            match = REPO_PATH.match(self.path)
            auth = self.headers.get("Authorization") or ""
            scheme, _, token = auth.partition(" ")
            with lock:
                granted = tokens.get(token) if scheme.lower() == "bearer" else None
            if match is None:
                if self.path.rstrip("/") == "/v2" and granted is not None:
                    return self.reply(200, b"{}", {"Content-Type": "application/json"})
                return self.challenge(None, False)
            name = match.group(1)
            action = "pull" if self.command in ("GET", "HEAD") else "push"
            if granted is None:
                return self.challenge(f"repository:{name}:{action}", False)
            if (name, action) not in granted:
                return self.challenge(f"repository:{name}:{action}", True)
            if match.group(2) == "blobs" and self.command == "GET":
                digest = self.path.rsplit("/", 1)[1]
                return self.reply(307, b"", {
                    "Location": f"https://cdn.docker.test/v2/{name}/blobs/{digest}?expires=1",
                })
            self.relay(self.path, body)

        def challenge(self, scope, insufficient):
            value = f'Bearer realm="{REALM}",service="{SERVICE}"'
            if scope:
                value += f',scope="{scope}"'
            if insufficient:
                value += ',error="insufficient_scope"'
            body = json.dumps({"errors": [{
                "code": "UNAUTHORIZED",
                "message": "authentication required",
            }]}).encode()
            self.reply(401, body, {"WWW-Authenticate": value, "Content-Type": "application/json"})

        def relay(self, path, body):
            conn = http.client.HTTPConnection(args.upstream, timeout=30)
            conn.putrequest(self.command, path.split("?expires=")[0],
                            skip_accept_encoding=True)
            # Repeated headers (several Accept lines) are passed on one by one.
            for k, v in self.headers.items():
                if k.lower() not in ("host", "authorization", "connection", "content-length"):
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            r = conn.getresponse()
            data = r.read()
            keep = {k: v for k, v in r.getheaders()
                    if k.lower() not in ("content-length", "connection", "transfer-encoding")}
            length = r.getheader("Content-Length") if self.command == "HEAD" else None
            conn.close()
            self.reply(r.status, data, keep, length)

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = route

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
