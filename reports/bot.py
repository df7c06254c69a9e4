"""The Telegram bot: reports on demand for registered users, a calendar to pick the date, and user
management for admins. A chat that is not registered gets no data, only its chat id to pass to an admin."""

import json
from datetime import date
from pathlib import Path

import telebot
from telebot import types
from telegram_bot_calendar import DetailedTelegramCalendar

from reports import formatting as fmt
from reports.catalog import REPORTS
from reports.delivery import DeliveryFailed, RecipientBlocked, TelegramSender
from reports.published import NotPublished
from reports.recipients import Recipient, RecipientStore, UnknownRole
from reports.report import ADMIN, ROLES, yesterday

NO_ACCESS = "Нет доступа. Ваш chat id: {chat_id} — передайте его администратору."
# calendar ids may not contain '_': each report's calendar is numbered
CALENDAR_IDS = {name: str(i) for i, name in enumerate(REPORTS, 1)}


def button_texts_as_strings(markup: str) -> str:
    """telegram-bot-calendar writes years and days as JSON numbers; the Bot API wants button texts as strings."""
    keyboard = json.loads(markup)
    for row in keyboard["inline_keyboard"]:
        for button in row:
            button["text"] = str(button["text"])
    return json.dumps(keyboard, ensure_ascii=False)


def _calendar_of(report_name: str) -> DetailedTelegramCalendar:
    """The date picker of one report: Russian, up to yesterday (UTC)."""
    return DetailedTelegramCalendar(calendar_id=CALENDAR_IDS[report_name], locale="ru", max_date=yesterday())


class ReportBot:
    def __init__(self, sender: TelegramSender, store: RecipientStore, published: Path):
        self.sender, self.store, self.published = sender, store, published
        self.bot: telebot.TeleBot = sender.bot
        self._register()

    def handle(self, updates: list[types.Update]) -> None:
        """Process updates (from polling, or given directly)."""
        self.bot.process_new_updates(updates)

    def poll(self) -> None:
        self.bot.infinity_polling(skip_pending=True)

    def _reply(self, chat_id: int, text: str, **kwargs) -> None:
        self.sender.call(lambda: self.bot.send_message(chat_id, text, parse_mode="HTML", **kwargs))

    def _recipient(self, message: types.Message) -> Recipient | None:
        recipient = self.store.get(message.chat.id)
        if recipient is None:
            self._reply(message.chat.id, NO_ACCESS.format(chat_id=message.chat.id))
        return recipient

    def _register(self) -> None:
        bot = self.bot
        bot.message_handler(commands=["start", "help"])(self._help)
        bot.message_handler(commands=["report"])(self._report)
        bot.message_handler(commands=["users"])(self._users)
        bot.message_handler(commands=["adduser"])(self._add_user)
        bot.message_handler(commands=["removeuser"])(self._remove_user)
        bot.message_handler(commands=["roles"])(self._set_roles)
        for name, calendar_id in CALENDAR_IDS.items():
            bot.callback_query_handler(func=DetailedTelegramCalendar.func(calendar_id=calendar_id))(
                lambda call, name=name: self._calendar(call, name)
            )

    def _help(self, message: types.Message) -> None:
        recipient = self._recipient(message)
        if recipient is None:
            return
        available = [r for r in REPORTS.values() if r.allowed(recipient.roles)]
        lines = [fmt.bold("Отчёты"), *(f"/report {r.name} — {fmt.escape(r.title)}" for r in available)]
        lines.append("Дата необязательна (ГГГГ-ММ-ДД); без неё бот покажет календарь.")
        if ADMIN in recipient.roles:
            lines += [
                "",
                fmt.bold("Пользователи"),
                "/users, /adduser CHAT_ID РОЛИ ИМЯ, /removeuser CHAT_ID, /roles CHAT_ID РОЛИ",
                f"Роли через запятую: {', '.join(ROLES)}",
            ]
        self._reply(message.chat.id, "\n".join(lines))

    def _report(self, message: types.Message) -> None:
        recipient = self._recipient(message)
        if recipient is None:
            return
        words = (message.text or "").split()[1:]
        report = REPORTS.get(words[0]) if words else None
        if report is None or not report.allowed(recipient.roles):
            names = [r.name for r in REPORTS.values() if r.allowed(recipient.roles)]
            self._reply(message.chat.id, f"Укажите отчёт: {fmt.escape(', '.join(names))}")
            return
        if len(words) > 1:
            try:
                day = date.fromisoformat(words[1])
            except ValueError:
                self._reply(message.chat.id, "Дата в формате ГГГГ-ММ-ДД, например 2025-03-01")
                return
            self._send_report(message.chat.id, report.name, day)
            return
        calendar, _ = _calendar_of(report.name).build()
        self._reply(
            message.chat.id,
            f"{fmt.escape(report.title)}: выберите дату",
            reply_markup=button_texts_as_strings(calendar),
        )

    def _calendar(self, call: types.CallbackQuery, name: str) -> None:
        recipient = self.store.get(call.message.chat.id)
        if recipient is None or not REPORTS[name].allowed(recipient.roles):
            self.sender.call(lambda: self.bot.answer_callback_query(call.id, "Нет доступа"))
            return
        result, markup, _ = _calendar_of(name).process(call.data)
        chat, message_id = call.message.chat.id, call.message.message_id
        if result is None and markup is not None:
            keyboard = button_texts_as_strings(markup)
            self.sender.call(lambda: self.bot.edit_message_reply_markup(chat, message_id, reply_markup=keyboard))
        elif isinstance(result, date):
            text = f"{fmt.escape(REPORTS[name].title)}: {result:%d.%m.%Y}"
            self.sender.call(lambda: self.bot.edit_message_text(text, chat, message_id, parse_mode="HTML"))
            self._send_report(chat, name, result)

    def _send_report(self, chat_id: int, name: str, day: date) -> None:
        try:
            message = REPORTS[name].build(self.published, day)
        except NotPublished:
            self._reply(chat_id, "Данные ещё не опубликованы: отчёт появится после расчёта витрин.")
            return
        try:
            self.sender.send(chat_id, message)
        except (RecipientBlocked, DeliveryFailed):
            pass  # logged by the sender; nothing else can reach this chat

    def _admin(self, message: types.Message) -> Recipient | None:
        recipient = self._recipient(message)
        if recipient is not None and ADMIN not in recipient.roles:
            self._reply(message.chat.id, "Команда доступна только администраторам.")
            return None
        return recipient

    @staticmethod
    def _actor(message: types.Message) -> str:
        user = message.from_user
        return f"telegram:{user.id}" + (f" (@{user.username})" if user and user.username else "")

    def _users(self, message: types.Message) -> None:
        if self._admin(message) is None:
            return
        lines = [fmt.bold("Получатели")] + [
            f"{r.chat_id} — {fmt.escape(r.name)}: {', '.join(sorted(r.roles))}" for r in self.store.all()
        ]
        self._reply(message.chat.id, "\n".join(lines))

    def _add_user(self, message: types.Message) -> None:
        if self._admin(message) is None:
            return
        words = (message.text or "").split(maxsplit=3)
        if len(words) < 4 or not words[1].lstrip("-").isdigit():
            self._reply(message.chat.id, "Формат: /adduser CHAT_ID РОЛИ ИМЯ")
            return
        try:
            added = self.store.add(int(words[1]), words[3], set(words[2].split(",")), self._actor(message))
        except UnknownRole as error:
            self._reply(message.chat.id, fmt.escape(error))
            return
        self._reply(
            message.chat.id, f"Добавлен {added.chat_id} ({fmt.escape(added.name)}): {', '.join(sorted(added.roles))}"
        )

    def _remove_user(self, message: types.Message) -> None:
        if self._admin(message) is None:
            return
        words = (message.text or "").split()
        if len(words) != 2 or not words[1].lstrip("-").isdigit():
            self._reply(message.chat.id, "Формат: /removeuser CHAT_ID")
            return
        try:
            self.store.remove(int(words[1]), self._actor(message))
        except KeyError:
            self._reply(message.chat.id, f"{words[1]} не найден")
            return
        self._reply(message.chat.id, f"Удалён {words[1]}")

    def _set_roles(self, message: types.Message) -> None:
        if self._admin(message) is None:
            return
        words = (message.text or "").split()
        if len(words) != 3 or not words[1].lstrip("-").isdigit():
            self._reply(message.chat.id, "Формат: /roles CHAT_ID РОЛИ")
            return
        try:
            changed = self.store.set_roles(int(words[1]), set(words[2].split(",")), self._actor(message))
        except (KeyError, UnknownRole) as error:
            self._reply(message.chat.id, fmt.escape(error.args[0]))
            return
        self._reply(message.chat.id, f"Роли {changed.chat_id}: {', '.join(sorted(changed.roles))}")
