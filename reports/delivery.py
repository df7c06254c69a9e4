"""Sending report messages through the Telegram Bot API (telebot), with retries, and to many recipients.

Network errors and 5xx answers are retried with exponential backoff, 429 waits the retry_after Telegram
gives, 403 (the user blocked the bot) is recorded and not retried. One recipient's failure never stops the
others. The token is never logged: error texts are scrubbed of it.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import requests
import telebot
from telebot import apihelper

from reports.recipients import Recipient
from reports.report import Report, ReportMessage

log = logging.getLogger(__name__)
# loggers that may quote a request URL, which holds the token (/bot<token>/sendMessage)
URL_LOGGERS = ("TeleBot", "urllib3.connectionpool", "requests")


class TokenFilter(logging.Filter):
    """Replaces the bot token with *** in every record of the loggers it is attached to."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "***"), None
        return True


class RecipientBlocked(RuntimeError):
    """Telegram answered 403: the user blocked the bot or left the chat."""


class DeliveryFailed(RuntimeError):
    """Retries ran out, or Telegram refused the request."""


@dataclass
class TelegramSender:
    token: str
    api_url: str = ""  # e.g. a local Bot API server; default api.telegram.org
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if not self.token:
            raise ValueError("no Telegram bot token: set TELEGRAM_BOT_TOKEN")
        apihelper.API_URL = self.api_url.rstrip("/") + "/bot{0}/{1}" if self.api_url else None
        self.bot = telebot.TeleBot(self.token, threaded=False)
        for name in URL_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, TokenFilter) and f.token == self.token for f in logger.filters):
                logger.addFilter(TokenFilter(self.token))

    def send(self, chat_id: int, message: ReportMessage) -> None:
        self.call(lambda: self.bot.send_message(chat_id, message.text, parse_mode="HTML"))
        for name, png in message.charts:
            self.call(lambda name=name, png=png: self.bot.send_photo(chat_id, (name, png)))

    def call(self, request: Callable[[], object]) -> object:
        """Run one Bot API request with the retry rules above."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                return request()
            except apihelper.ApiTelegramException as error:
                if error.error_code == 403:
                    raise RecipientBlocked(self.scrub(error.description)) from None
                if error.error_code == 429:
                    wait = float((error.result_json.get("parameters") or {}).get("retry_after", self.backoff_seconds))
                elif error.error_code >= 500:
                    wait = self.backoff_seconds * 2 ** (attempt - 1)
                else:
                    raise DeliveryFailed(f"Telegram refused: {self.scrub(error.description)}") from None
                reason = f"{error.error_code} {self.scrub(error.description)}"
            except (apihelper.ApiHTTPException, requests.ConnectionError, requests.Timeout) as error:
                wait, reason = self.backoff_seconds * 2 ** (attempt - 1), self.scrub(str(error))
            if attempt == self.max_attempts:
                raise DeliveryFailed(f"gave up after {attempt} attempts: {reason}")
            log.warning("Telegram request failed (%s); retrying in %.1f s", reason, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def scrub(self, text: str) -> str:
        return text.replace(self.token, "***")


def deliver(
    sender: TelegramSender, report: Report, message: ReportMessage, recipients: Iterable[Recipient]
) -> list[dict]:
    """Send `message` to every recipient whose roles allow `report`; one outcome per recipient."""
    outcomes = []
    for recipient in recipients:
        if not report.allowed(recipient.roles):
            continue
        outcome = {"chat_id": recipient.chat_id, "name": recipient.name, "report": report.name}
        try:
            sender.send(recipient.chat_id, message)
            outcome["status"] = "sent"
        except RecipientBlocked as error:
            outcome |= {"status": "blocked", "error": str(error)}
        except DeliveryFailed as error:
            outcome |= {"status": "failed", "error": str(error)}
        log.info("report %s to %s: %s", report.name, recipient.chat_id, outcome["status"])
        outcomes.append(outcome)
    return outcomes
