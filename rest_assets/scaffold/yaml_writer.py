"""The defs.yaml as text: dlt's config with comments, every string from the document made inert.

A defs.yaml is read twice: by YAML, then by Dagster, which renders every string value of the
component's attributes as a Jinja template (`NativeTemplate`, with `env` and friends in scope),
and then, Jinja's native mode, evaluates a result that reads as a Python literal (`'123'` becomes
123). Text copied from an OpenAPI document is someone else's, so each string value is written
in a form that Dagster renders back to exactly that text, and nothing in it is evaluated:

- as it is, when Jinja would leave it so (no `{{`, `{%` or `{#`, and not a Python literal);
- else inside `{% raw %}...{% endraw %}`, which Jinja outputs untouched: the text stays readable
  in the file (`{% raw %}Use {{ env('X') }}{% endraw %}`);
- else as a Jinja string literal, `{{ '...' }}`, for text that itself holds `{% endraw %}`;

where a text that reads as a Python literal (`123`, `None`, `'quoted'`) is given as its `repr` in one of
the last two forms (`{% raw %}'123'{% endraw %}`), which native mode turns back into the text. The
project renders a string of dlt's config only where it holds `{{` or `{%` (RestApiComponent), Dagster
every string of the component's other fields: a form with a delimiter is rendered by both alike. Each form is checked by rendering it before it is used.
The project's own templates (the base URL's `env(...)`) are `Template`s, written as they are,
with the document's URL inside them as a Jinja string literal.

For YAML, a string that is not a plain word is written double-quoted with every character
outside YAML's printable set escaped: anchors (`&a`), aliases (`*a`), tags (`!!python/object`),
document markers and control characters stay text. Mapping keys are not rendered by Dagster:
they are only quoted. Comments hold document text on one line (words.one_line).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from jinja2.nativetypes import NativeTemplate, native_concat

from rest_assets.scaffold.words import one_line

JINJA_DELIMITERS = re.compile(r"\{[{%#]")
JINJA_END_RAW = re.compile(r"\{%[-+]?\s*endraw")
PLAIN_WORD = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
LINE_WIDTH = 110


class Commented(dict):
    """A mapping whose keys may carry comment lines, written above them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: dict[str, list[str]] = {}

    def note(self, key: str, *lines: str) -> "Commented":
        self.notes.setdefault(key, []).extend(line for line in lines if line)
        return self


@dataclass
class Disabled:
    """A list item written commented out, with why."""

    value: Any
    reason: str


class Template(str):
    """A Jinja template of the project's own (the base URL's `env(...)`): written as it is."""


# --- strings that stay text --------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # a text can be written twice (a mapping tried on one line, then as a block)
def inert(text: str) -> str:
    """A string Dagster's rendering turns back into `text`, evaluating nothing."""
    if not text or (not JINJA_DELIMITERS.search(text) and _renders_to(text, text, plain=True)):
        return text
    for candidate in _jinja_forms(text):
        if _renders_to(candidate, text):
            return candidate
    raise AssertionError(f"no inert form of {text!r}")  # a Jinja string literal of its repr always renders back


def _jinja_forms(text: str) -> list[str]:
    forms = []
    # Each form holds a delimiter, so that it is rendered wherever it is written: Dagster renders every
    # string of a component's own fields, the project only those of dlt's config that hold a template.
    for output in (text, repr(text)):  # what Jinja outputs: the text, or a literal that native mode evaluates to it
        if not JINJA_END_RAW.search(output):
            forms.append("{% raw %}" + output + "{% endraw %}")
        forms.append("{{ " + jinja_literal(output) + " }}")
    return forms


def _renders_to(candidate: str, text: str, plain: bool = False) -> bool:
    """Whether Dagster's rendering of the candidate gives the text (candidates hold no code to run)."""
    try:
        if plain:  # one data node: Jinja's output is the text with its newlines normalized, then native_concat
            if "\r" in candidate or candidate.endswith("\n"):
                return False
            rendered = native_concat(iter([candidate]))
        else:
            rendered = NativeTemplate(candidate).render()
    except Exception:  # noqa: BLE001 (a literal too deep for Python's parser, say: not this form)
        return False
    return isinstance(rendered, str) and rendered == text


def jinja_literal(text: str) -> str:
    """`text` as a Jinja string literal: quotes and backslashes escaped, control characters as escapes."""
    out = []
    for char in text:
        if char in "'\\":
            out.append("\\" + char)
        elif _printable(char):
            out.append(char)
        else:
            out.append(_escape(char))
    return "'" + "".join(out) + "'"


# --- YAML ------------------------------------------------------------------------------------------


def yaml_string(text: str) -> str:
    """A YAML scalar that loads as exactly `text`: a plain word, else double-quoted with escapes."""
    if PLAIN_WORD.fullmatch(text) and _loads_as_itself(text):
        return text
    return '"' + "".join(_yaml_char(c) for c in text) + '"'


@lru_cache(maxsize=4096)
def _loads_as_itself(word: str) -> bool:
    """A plain word YAML reads as that string (not `true`, `null` or `1e3`): asked once per word, names repeat."""
    return yaml.safe_load(word) == word


def _yaml_char(char: str) -> str:
    if char == '"':
        return '\\"'
    if char == "\\":
        return "\\\\"
    return char if _printable(char) else _escape(char)


def _printable(char: str) -> bool:
    """Printable in YAML and not a line break (YAML's line breaks include U+0085, U+2028, U+2029)."""
    code = ord(char)
    return (0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF and code not in (0x2028, 0x2029)
            or 0xE000 <= code <= 0xFFFD and code != 0xFEFF or code >= 0x10000)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def _value(value: Any) -> str:
    if isinstance(value, Template):
        return yaml_string(str(value))
    if isinstance(value, str):
        return yaml_string(inert(value))
    if value is None or isinstance(value, (bool, int, float)):
        return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()
    return yaml_string(inert(str(value)))  # anything else a document holds: as its text


def _key(key: Any) -> str:
    return yaml_string(str(key))


def plain(value: Any) -> Any:
    """The data a dumped file means, once loaded and rendered: comments dropped, disabled items left out."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value if not isinstance(v, Disabled)]
    return value


def _flow(value: Any) -> str | None:
    """A small mapping or list of scalars on one line, or None."""
    if isinstance(value, Commented) and value.notes:
        return None
    if isinstance(value, dict):
        if all(not isinstance(v, (dict, list)) for v in value.values()):
            text = "{" + ", ".join(f"{_key(k)}: {_value(v)}" for k, v in value.items()) + "}"
            return text if len(text) <= 100 or all(k == "description" for k in value) else None
    if isinstance(value, list) and all(not isinstance(v, (dict, list, Disabled)) for v in value):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return None


def comment(lines: list[str], indent: int) -> list[str]:
    """Comment lines, wrapped; a line's own leading spaces indent it under the one before."""
    out = []
    for line in lines:
        inner = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(one_line(line), width=max(40, LINE_WIDTH - indent), initial_indent=f"{' ' * indent}# {inner}",
                             subsequent_indent=f"{' ' * indent}# {inner}  ", break_on_hyphens=False) or [
            " " * indent + "#"]
    return out


def _block(value: Any, indent: int) -> list[str]:
    return _mapping(value, indent) if isinstance(value, dict) else _sequence(value, indent)


def _mapping(value: dict, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(value, Commented):
            lines += comment(value.notes.get(key, []), indent)
        flow = None if isinstance(item, (dict, list)) and not item else _flow(item)
        if not isinstance(item, (dict, list)):
            lines.append(f"{pad}{_key(key)}: {_value(item)}")
        elif flow is not None:
            lines.append(f"{pad}{_key(key)}: {flow}")
        else:
            lines.append(f"{pad}{_key(key)}:")
            lines += _block(item, indent + 2)
    return lines


def _sequence(value: list, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in value:
        disabled = isinstance(item, Disabled)
        if disabled:
            lines += comment([item.reason], indent)
            item = item.value
        if isinstance(item, Commented) and item:
            first = next(iter(item))
            lines += comment(item.notes.get(first, []), indent)  # above the `- `, not inside it
            rest = Commented(item)
            rest.notes = {k: v for k, v in item.notes.items() if k != first}
            item = rest
        flow = _flow(item) if isinstance(item, (dict, list)) else None
        body = _block(item, indent + 2) if isinstance(item, dict) and flow is None else [
            f"{pad}  {flow if isinstance(item, (dict, list)) else _value(item)}"]
        body[0] = f"{pad}- {body[0][indent + 2:]}"
        lines += [f"{pad}# {line[indent:]}" if line.strip() else line for line in body] if disabled else body
    return lines


def dump_defs(root: Commented) -> str:
    return "\n".join(_block(root, 0)) + "\n"
