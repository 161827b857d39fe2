# The lab's one stand-in: a minimal network (Neutron) endpoint. Real Neutron is too heavy for the
# lab machine; Nova with servers booted without networks (`"networks": "none"`) only reads from it
# (ports of an instance, shared networks, extensions). Every collection is empty, every item is
# 404, a DELETE succeeds and any write is refused. See lab/README.md.
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _segments(self):
        path = urlsplit(self.path).path.strip("/")
        return [s[: -len(".json")] if s.endswith(".json") else s for s in path.split("/") if s]

    def do_GET(self):
        segments = self._segments()
        if not segments:
            href = f"http://{self.headers.get('Host', '127.0.0.1')}/v2.0/"
            links = [{"rel": "self", "href": href}]
            return self._send(200, {"versions": [{"id": "v2.0", "status": "CURRENT", "links": links}]})
        if segments[0] == "v2.0":
            segments = segments[1:]
        if len(segments) == 1:
            return self._send(200, {segments[0]: []})
        self._send(404, {"NeutronError": {"type": "NotFound", "message": "not found", "detail": ""}})

    def do_DELETE(self):
        self._send(204)

    def _refuse(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        message = "the lab's network endpoint is read-only"
        self._send(400, {"NeutronError": {"type": "BadRequest", "message": message, "detail": ""}})

    do_POST = do_PUT = _refuse

    def log_message(self, format, *args):
        sys.stdout.write("%s %s\n" % (self.log_date_time_string(), format % args))
        sys.stdout.flush()


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
