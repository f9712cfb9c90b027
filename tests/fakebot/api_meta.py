"""Bot-level methods: getMe, webhooks, getUpdates, commands, getFile, getChat."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .errors import TgError, bad_request
from .params import Params
from .webhook import WebhookMixin

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
GLOBAL_SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
CONFLICT_GRACE = 0.02  # lets the server notice a poll whose client already hung up


class MetaMethods(WebhookMixin):
    async def api_get_me(self, p: Params) -> Any:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def api_log_out(self, p: Params) -> Any:
        return True

    async def api_close(self, p: Params) -> Any:
        return True

    async def api_delete_webhook(self, p: Params) -> Any:
        self.webhook_url = ""
        if p.flag("drop_pending_updates"):
            self._updates.clear()
            self._signal.notify()
        return True

    async def api_set_webhook(self, p: Params) -> Any:
        url = p.text("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.text("secret_token") or ""
        if secret and not SECRET_RE.match(secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.obj("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        if p.flag("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = url
        self.webhook_secret = secret
        self.webhook_last_error = None
        self._signal.notify()
        return True

    async def api_get_webhook_info(self, p: Params) -> Any:
        return self.webhook_info()

    # ------------------------------------------------------------ getUpdates

    async def api_get_updates(self, p: Params) -> Any:
        if self.webhook_url:
            raise TgError(409, WEBHOOK_CONFLICT)
        offset = p.integer("offset") or 0
        limit = min(max(p.integer("limit") or 100, 1), 100)
        timeout = max(p.integer("timeout") or 0, 0)
        allowed = p.obj("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = [str(kind) for kind in allowed]
        self.confirm_updates(offset)
        self._poll_count += 1
        generation = self._poll_count
        self._signal.notify()

        def ready() -> bool:
            return bool(self._updates) or self._closing or self._poll_count != generation

        if p.request is not None:
            self._held_polls[id(p.request)] = p.request
        try:
            await self._signal.wait_until(ready, float(timeout))
        finally:
            self._held_polls.pop(id(p.request), None)
            self._signal.notify()
        if self._poll_count != generation and not self._updates:
            return await self.poll_superseded(p)
        return self.hand_out(self._updates[:limit])

    def polling_now(self) -> bool:
        """A getUpdates is being held open on a connection whose client is still there."""
        return any(
            request.transport is not None and not request.transport.is_closing()
            for request in self._held_polls.values()
        )

    async def poll_superseded(self, p: Params) -> Any:
        """A newer getUpdates arrived: Telegram ends this one with 409 Conflict."""
        await asyncio.sleep(CONFLICT_GRACE)
        transport = p.request.transport if p.request is not None else None
        if transport is None or transport.is_closing():
            return []  # the client already gave up on this poll; nobody will read the answer
        raise TgError(409, POLL_CONFLICT)

    # ------------------------------------------------------------ commands

    def scope_key(self, p: Params) -> str:
        scope = p.obj("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in GLOBAL_SCOPES:
            key = str(kind)
        elif kind in CHAT_SCOPES:
            key = self.chat_scope_key(str(kind), scope)
        else:
            raise bad_request("wrong bot command scope type specified")
        language = p.text("language_code") or ""
        if language and not LANGUAGE_RE.match(language):
            raise bad_request("LANG_CODE_INVALID")
        return f"{key}/{language}" if language else key

    def chat_scope_key(self, kind: str, scope: dict[str, Any]) -> str:
        try:
            chat_id = int(scope.get("chat_id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        self.known_chat(chat_id)
        if kind != "chat_member":
            return f"{kind}:{chat_id}"
        user_id = scope.get("user_id")
        if not isinstance(user_id, int) or user_id not in self.users:
            raise bad_request("user not found")
        return f"{kind}:{chat_id}:{user_id}"

    async def api_set_my_commands(self, p: Params) -> Any:
        commands = p.obj("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        cleaned = [self.check_command(command) for command in commands]
        key = self.scope_key(p)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        self._signal.notify()
        return True

    def check_command(self, command: Any) -> dict[str, str]:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        return {"command": name, "description": description}

    async def api_delete_my_commands(self, p: Params) -> Any:
        self.commands.pop(self.scope_key(p), None)
        self._signal.notify()
        return True

    async def api_get_my_commands(self, p: Params) -> Any:
        return list(self.commands.get(self.scope_key(p), []))

    # ------------------------------------------------------------ files and chats

    async def api_get_file(self, p: Params) -> Any:
        file_id = p.text("file_id")
        record = self.files.get(file_id or "")
        if record is None:
            raise bad_request("invalid file_id")
        return {**record.as_file(), "file_id": file_id}

    async def api_get_chat(self, p: Params) -> Any:
        chat = self.known_chat(p.chat_id())
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
