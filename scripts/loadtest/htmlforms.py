"""Read the forms of a portal page the way a browser would post them (standard library only).

``forms(html)`` returns each <form> with its action, method and the fields a browser would
send unchanged: inputs (checked boxes and radios only), selected options, textareas. Used by
the locustfile so every edit goes through the page's real form, hidden fields and CSRF token
included; and ``messages(html)`` returns the page's flash messages as (level, text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    enctype: str
    fields: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)  # every field name, submitted or not
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), enctype=a.get("enctype", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            form.names.append(name)
            if kind in ("submit", "button", "image"):
                form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields[name] = a.get("value", "on")
            elif kind != "file" and "disabled" not in a:
                form.fields[name] = a.get("value", "")
        elif tag == "button" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "select" and name:
            form.names.append(name)
            self._select, self._select_first, self._select_chosen = (None if "disabled" in a else name), None, False
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = []
        elif tag == "textarea" and name:
            form.names.append(name)
            self._textarea, self._text = (None if "disabled" in a else name), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option_value is None and self._select:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select and self._form is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            if self._select_first is None:
                self._select_first = value
            if self._option_selected and not self._select_chosen:
                self._form.fields[self._select] = value
                self._select_chosen = True
            self._option_value, self._option_selected = None, False
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and self._select_first is not None:
                self._form.fields[self._select] = self._select_first
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field_name: str, action_contains: str = "") -> Form | None:
    """The first form holding a field called ``field_name`` (and whose action contains ``action_contains``)."""
    for form in forms(html):
        if field_name in form.names and action_contains in form.action:
            return form
    return None


_MESSAGE = re.compile(r'<li class="msg-(\w+)">(.*?)</li>', re.S)


def messages(html: str) -> list[tuple[str, str]]:
    return [(level, unescape(re.sub(r"<[^>]+>", "", text)).strip()) for level, text in _MESSAGE.findall(html)]


_ERRORS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>|<div class="errorbox"[^>]*>(.*?)</div>', re.S)


def errors(html: str) -> list[str]:
    found = []
    for a, b in _ERRORS.findall(html):
        text = unescape(re.sub(r"<[^>]+>", " ", a or b))
        found.append(" ".join(text.split()))
    return found
