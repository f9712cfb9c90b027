"""A strict fake of the Telegram Bot API for end-to-end tests.

Usage::

    fake = FakeTelegram()
    await fake.start()            # fake.url -> TELEGRAM_API_URL
    fake.add_user(1001, "张三")
    fake.send_text(1001, "/start")
    reply = await fake.wait_for(1001, contains="欢迎")
    fake.press(1001, reply, "提交诉求")
    await fake.stop()

The server answers like Telegram: strict HTML/MarkdownV2 parsing, length limits, keyboard
validation, chat permissions (never-started / blocked users), "message is not modified",
stale callback queries and flood limits (429 with retry_after).

Telegram's own faults can be driven: migrate_group (ChatMigrated), kick_bot / add_bot
(403 + my_chat_member), a second poller or an active webhook (409), redeliver /
redeliver_last (the same update again), send_album, edit_text (edited_message),
fail_next / drop_next / inject_fault / clear_faults (5xx, 429, dropped connections per
method and per chat), rate_limited (429s per chat), and route_webhook (POST updates to one
or several local instances standing behind the URL the bot registered).
"""

from .errors import ApiError, TgError
from .markup import Parsed, parse_text, utf16_len
from .models import SentMessage
from .server import FakeTelegram, FaultRule
from .webhook import WebhookPost

__all__ = [
    "ApiError",
    "FakeTelegram",
    "FaultRule",
    "Parsed",
    "SentMessage",
    "TgError",
    "WebhookPost",
    "parse_text",
    "utf16_len",
]
