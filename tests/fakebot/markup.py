"""Telegram text formatting: strict HTML / MarkdownV2 / Markdown checkers.

Each parser returns the visible text and its entities (offsets in UTF-16 code units),
or raises TgError 400 "can't parse entities" like the real Bot API.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import TgError, bad_request


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Parsed:
    text: str
    entities: list[dict[str, Any]]


@dataclass
class _Open:
    name: str
    kind: str | None
    start: int
    pos: int
    extra: dict[str, Any] = field(default_factory=dict)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def close(self, opened: _Open) -> None:
        length = self.offset - opened.start
        if opened.kind and length > 0:
            entity = {"type": opened.kind, "offset": opened.start, "length": length}
            self.entities.append({**entity, **opened.extra})

    def result(self) -> Parsed:
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return Parsed("".join(self.parts), entities)


def _bad(text: str, pos: int, detail: str) -> TgError:
    offset = len(text[:pos].encode("utf-8"))
    return bad_request(f"can't parse entities: {detail} at byte offset {offset}")


def parse_text(text: str, parse_mode: str | None) -> Parsed:
    """Visible text and entities of `text` sent with `parse_mode` (None/"" = plain)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return Parsed(text, [])
    if mode == "html":
        return _HtmlParser(text).run()
    if mode == "markdownv2":
        return _MarkdownV2Parser(text).run()
    if mode == "markdown":
        return _parse_legacy_markdown(text)
    raise bad_request("unsupported parse_mode")


# ---------------------------------------------------------------- HTML

_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z][A-Za-z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'<>=`]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'<>=`]+))?")
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_RE = re.compile(r"[^<>&]+")
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _Parser:
    """Walks the text one construct at a time; subclasses say how, and what is unclosed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.out = _Builder()
        self.stack: list[_Open] = []

    def _step(self, i: int) -> int:
        raise NotImplementedError

    def _unclosed(self, top: _Open) -> Exception:
        raise NotImplementedError

    def run(self) -> Parsed:
        i = 0
        while i < len(self.text):
            i = self._step(i)
        if self.stack:
            raise self._unclosed(self.stack[-1])
        return self.out.result()


class _HtmlParser(_Parser):
    def _unclosed(self, top: _Open) -> Exception:
        detail = f'Can\'t find end tag corresponding to start tag "{top.name}"'
        return _bad(self.text, len(self.text), detail)

    def _step(self, i: int) -> int:
        char = self.text[i]
        if char == "<":
            return self._tag(i)
        if char == "&":
            return self._entity(i)
        if char == ">":
            raise _bad(self.text, i, 'Bare ">" must be escaped as "&gt;"')
        match = _PLAIN_RE.match(self.text, i)
        assert match is not None
        self.out.add(match.group())
        return match.end()

    def _entity(self, i: int) -> int:
        match = _ENTITY_RE.match(self.text, i)
        if match is None:
            raise _bad(self.text, i, 'Unsupported HTML entity or bare "&"')
        named, dec, hexa = match.groups()
        if named:
            self.out.add(_NAMED[named])
            return match.end()
        code = int(dec) if dec else int(hexa, 16)
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise _bad(self.text, i, "Invalid numeric HTML entity")
        self.out.add(chr(code))
        return match.end()

    def _tag(self, i: int) -> int:
        match = _TAG_RE.match(self.text, i)
        if match is None:
            raise _bad(self.text, i, 'Unsupported start tag or bare "<"')
        closing, name, attrs = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if name not in _HTML_TAGS:
            which = "end" if closing else "start"
            raise _bad(self.text, i, f'Unsupported {which} tag "{name}"')
        if closing:
            self._close(name, attrs, i)
        else:
            self._open(name, _attributes(attrs), i)
        return match.end()

    def _close(self, name: str, attrs: str, i: int) -> None:
        if attrs.strip():
            raise _bad(self.text, i, f'End tag "{name}" can\'t have attributes')
        if not self.stack:
            raise _bad(self.text, i, f'Unexpected end tag "{name}"')
        top = self.stack[-1]
        if top.name != name:
            detail = f'Unmatched end tag, expected "</{top.name}>", found "</{name}>"'
            raise _bad(self.text, i, detail)
        self.out.close(self.stack.pop())

    def _open(self, name: str, attrs: dict[str, str], i: int) -> None:
        kind: str | None = _HTML_TAGS[name]
        extra: dict[str, Any] = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _bad(self.text, i, 'Tag "span" must have class "tg-spoiler"')
        if name == "a":
            href = attrs.get("href")
            kind, extra = ("text_link", {"url": href}) if href else (None, {})
        elif name == "tg-emoji":
            if "emoji-id" not in attrs:
                raise _bad(self.text, i, 'Tag "tg-emoji" must have attribute "emoji-id"')
            extra = {"custom_emoji_id": attrs["emoji-id"]}
        elif name == "blockquote":
            if any(o.name == "blockquote" for o in self.stack):
                raise _bad(self.text, i, "Blockquote entities can't be nested")
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
        elif name == "code" and self.stack and self.stack[-1].name == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-"):
                self.stack[-1].extra["language"] = language.removeprefix("language-")
            kind = None
        self.stack.append(_Open(name, kind, self.out.offset, i, extra))


def _attributes(raw: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(raw):
        value = match.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        attrs[match.group(1).lower()] = html.unescape(value)
    return attrs


# ---------------------------------------------------------------- MarkdownV2

_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_TOGGLES = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


class _MarkdownV2Parser(_Parser):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.expandable = False

    def _unclosed(self, top: _Open) -> Exception:
        return _bad(self.text, top.pos, f"Can't find end of {top.kind} entity")

    def _line_start(self, i: int) -> bool:
        return i == 0 or self.text[i - 1] == "\n"

    def _step(self, i: int) -> int:
        text, char = self.text, self.text[i]
        if char == "\\":
            return self._escape(i)
        if char == "`":
            return self._code(i)
        if self._line_start(i) and text.startswith("**>", i):
            self.expandable = True
            return i + 3
        if self.expandable and text.startswith("||", i) and text[i + 2 : i + 3] in ("", "\n"):
            self.expandable = False
            return i + 2
        for token, kind in _MD2_TOGGLES:
            if text.startswith(token, i):
                self._toggle(token, kind, i)
                return i + len(token)
        return self._other(i)

    def _other(self, i: int) -> int:
        text, char = self.text, self.text[i]
        if text.startswith("![", i):
            self.stack.append(_Open("![", "custom_emoji", self.out.offset, i))
            return i + 2
        if char == "[":
            self.stack.append(_Open("[", "text_link", self.out.offset, i))
            return i + 1
        if char == "]":
            return self._close_link(i)
        if char == ">" and self._line_start(i):
            return i + 1
        if char in _MD2_RESERVED:
            detail = f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            raise _bad(text, i, detail)
        self.out.add(char)
        return i + 1

    def _escape(self, i: int) -> int:
        if i + 1 >= len(self.text):
            raise _bad(self.text, i, "Character '\\' is reserved and must be escaped")
        nxt = self.text[i + 1]
        if 0 < ord(nxt) < 127:
            self.out.add(nxt)
            return i + 2
        self.out.add("\\")
        return i + 1

    def _toggle(self, token: str, kind: str, i: int) -> None:
        kinds = [o.kind for o in self.stack]
        if kind not in kinds:
            self.stack.append(_Open(token, kind, self.out.offset, i))
            return
        if self.stack[-1].kind != kind:
            top = self.stack[-1]
            raise _bad(self.text, top.pos, f"Can't find end of {top.kind} entity")
        self.out.close(self.stack.pop())

    def _close_link(self, i: int) -> int:
        if not self.stack or self.stack[-1].kind not in ("text_link", "custom_emoji"):
            detail = "Character ']' is reserved and must be escaped with the preceding '\\'"
            raise _bad(self.text, i, detail)
        if self.text[i + 1 : i + 2] != "(":
            raise _bad(self.text, i, "Can't find URL of the link entity")
        url, end = self._read_url(i + 2)
        opened = self.stack.pop()
        key = "url" if opened.kind == "text_link" else "custom_emoji_id"
        value = url if key == "url" else url.rpartition("id=")[2]
        opened.extra = {key: value}
        self.out.close(opened)
        return end

    def _read_url(self, j: int) -> tuple[str, int]:
        chars: list[str] = []
        while j < len(self.text):
            char = self.text[j]
            if char == "\\" and j + 1 < len(self.text):
                chars.append(self.text[j + 1])
                j += 2
                continue
            if char == ")":
                return "".join(chars), j + 1
            chars.append(char)
            j += 1
        raise _bad(self.text, j, "Can't find end of a URL")

    def _code(self, i: int) -> int:
        pre = self.text.startswith("```", i)
        fence = "```" if pre else "`"
        content, end = self._read_code(i + len(fence), fence, i)
        opened = _Open(fence, "pre" if pre else "code", self.out.offset, i)
        if pre:
            first, newline, rest = content.partition("\n")
            if newline and first and not any(c.isspace() for c in first):
                opened.extra = {"language": first}
                content = rest
        self.out.add(content)
        self.out.close(opened)
        return end

    def _read_code(self, j: int, fence: str, start: int) -> tuple[str, int]:
        chars: list[str] = []
        while j < len(self.text):
            if self.text[j] == "\\" and j + 1 < len(self.text):
                nxt = self.text[j + 1]
                chars.append(nxt if nxt in "`\\" else "\\" + nxt)
                j += 2
                continue
            if self.text.startswith(fence, j):
                return "".join(chars), j + len(fence)
            chars.append(self.text[j])
            j += 1
        kind = "pre" if fence == "```" else "code"
        raise _bad(self.text, start, f"Can't find end of {kind} entity")


# ---------------------------------------------------------------- legacy Markdown


def _parse_legacy_markdown(text: str) -> Parsed:
    out = _Builder()
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in ("_", "*", "`", "["):
            out.add(text[i + 1])
            i += 2
        elif text.startswith("```", i):
            i = _legacy_span(text, i, "```", "pre", out)
        elif char in kinds:
            i = _legacy_span(text, i, char, kinds[char], out)
        elif char == "[":
            i = _legacy_link(text, i, out)
        else:
            out.add(char)
            i += 1
    return out.result()


def _legacy_span(text: str, i: int, mark: str, kind: str, out: _Builder) -> int:
    end = text.find(mark, i + len(mark))
    if end < 0:
        raise _bad(text, i, "Can't find end of the entity starting")
    opened = _Open(mark, kind, out.offset, i)
    out.add(text[i + len(mark) : end])
    out.close(opened)
    return end + len(mark)


def _legacy_link(text: str, i: int, out: _Builder) -> int:
    middle = text.find("](", i)
    end = text.find(")", middle + 2) if middle >= 0 else -1
    if middle < 0 or end < 0:
        raise _bad(text, i, "Can't find end of the entity starting")
    opened = _Open("[", "text_link", out.offset, i, {"url": text[middle + 2 : end]})
    out.add(text[i + 1 : middle])
    out.close(opened)
    return end + 1


def check_length(text: str, limit: int, what: str) -> None:
    """400 when `text` (visible, after markup) exceeds `limit` UTF-16 code units."""
    if utf16_len(text) > limit:
        raise TgError(400, f"Bad Request: {what} is too long")
