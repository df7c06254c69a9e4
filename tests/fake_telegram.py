"""A local fake of the Telegram Bot API on 127.0.0.1 that records every request and can be scripted to fail."""

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse


@dataclass
class Request:
    method: str
    params: dict
    files: dict = field(default_factory=dict)  # field name -> (file name, bytes)

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])


class FakeTelegram:
    """`script[method]` is a list of answers used in turn, one per request, before the default success:
    (status, body), ("ok",) for the default success, or ("sleep", seconds) to stall before answering it."""

    def __init__(self):
        self.requests: list[Request] = []
        self.script: dict[str, list] = {}
        self._message_id = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                url = urlparse(self.path)
                method = url.path.rsplit("/", 1)[-1]
                params = dict(parse_qsl(url.query))
                files = {}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kind = self.headers.get("Content-Type", "")
                if kind.startswith("multipart/form-data"):
                    message = BytesParser(policy=default).parsebytes(f"Content-Type: {kind}\r\n\r\n".encode() + body)
                    for part in message.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        if part.get_filename():
                            files[name] = (part.get_filename(), part.get_payload(decode=True))
                        else:
                            params[name] = part.get_content()
                elif kind.startswith("application/x-www-form-urlencoded"):
                    params |= dict(parse_qsl(body.decode()))
                fake.requests.append(Request(method, params, files))
                status, answer = fake._answer(method, params)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, method: str, params: dict) -> tuple[int, dict]:
        queue = self.script.get(method)
        answer = queue.pop(0) if queue else ("ok",)
        if answer[0] == "sleep":
            time.sleep(answer[1])
        elif answer[0] != "ok":
            return answer
        self._message_id += 1
        if method in ("sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup"):
            message = {
                "message_id": self._message_id,
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                "text": params.get("text", ""),
            }
            return 200, {"ok": True, "result": message}
        return 200, {"ok": True, "result": True}

    def sent(self, method: str | None = None) -> list[Request]:
        return [r for r in self.requests if method is None or r.method == method]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def error(code: int, description: str, retry_after: int | None = None) -> tuple[int, dict]:
    body = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return code, body
