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
"""

from .errors import ApiError, TgError
from .markup import Parsed, parse_text, utf16_len
from .models import SentMessage
from .server import FakeTelegram

__all__ = [
    "ApiError",
    "FakeTelegram",
    "Parsed",
    "SentMessage",
    "TgError",
    "parse_text",
    "utf16_len",
]
