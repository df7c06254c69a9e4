"""The Telegram bot's settings, from the environment (the token only through EnvVar, never logged)."""

import os
from pathlib import Path

from dagster import ConfigurableResource, EnvVar

from warehouse.locations import data_dir


class TelegramBot(ConfigurableResource):
    token: str = ""
    api_url: str = ""  # a local Bot API server, e.g. http://127.0.0.1:8081; default api.telegram.org
    recipients_path: str = ""

    def recipients_file(self) -> Path:
        return Path(self.recipients_path) if self.recipients_path else data_dir() / "bot" / "recipients.sqlite"


def telegram_bot_from_env() -> TelegramBot:
    return TelegramBot(
        token=EnvVar("TELEGRAM_BOT_TOKEN") if os.environ.get("TELEGRAM_BOT_TOKEN") else "",
        api_url=os.environ.get("TELEGRAM_API_URL", ""),
        recipients_path=os.environ.get("OTT_BOT_RECIPIENTS", ""),
    )
