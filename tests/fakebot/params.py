"""Request parameters: JSON, url-encoded or multipart bodies plus the query string."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .errors import bad_request

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """Typed access to a method's parameters; form values arrive as strings / JSON strings."""

    def __init__(
        self,
        values: dict[str, Any],
        files: dict[str, Upload] | None = None,
        request: web.Request | None = None,
    ) -> None:
        self.values = values
        self.files = files or {}
        self.request = request

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "") or name in self.files

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Float') from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def raw_chat_id(self) -> int | str | None:
        value = self.values.get("chat_id")
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return str(value)


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    files: dict[str, Upload] = {}
    if request.content_type == "application/json":
        values.update(await _json_body(request))
    elif request.content_type in _FORM_TYPES:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                files[key] = Upload(data, value.filename, value.content_type)
            else:
                values[key] = value
    return Params(values, files, request)


async def _json_body(request: web.Request) -> dict[str, Any]:
    body = await request.read()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise bad_request("can't parse JSON request body") from None
    if not isinstance(data, dict):
        raise bad_request("JSON request body must be an Object")
    return data
