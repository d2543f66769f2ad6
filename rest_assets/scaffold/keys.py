"""The primary key of a listing's records: what identifies one, as far as the document says.

In order: the field the records' own path names (`/jobs/{jobId}` -> jobId; `/projects/{project_gid}`
-> gid), an identifying field (`id`, `gid`, `sid`, `uuid`, ... or `<record>_id`), and, where a
records' own path takes something other than an id, a field every record carries that could be
it (`name`, `slug`, `key`, `code`). Otherwise none: the resource is kept without a key
(build.py's note says what that means).
"""

from __future__ import annotations

import re

from rest_assets.scaffold.document import Document
from rest_assets.scaffold.listings import ID_FIELDS, ListEndpoint
from rest_assets.scaffold.words import singular, without_format, words

# Words that end a parameter naming a record by one of its fields: `{project_gid}`, `{organization_id_or_slug}`.
IDENTIFYING_WORDS = ("id", "gid", "sid", "uuid", "guid", "uid", "key", "slug", "name", "code")
# Fields that name a record where its own path takes something other than an id, in order of preference.
NATURAL_KEYS = ("name", "slug", "key", "code", "url", "href", "uri")


def shape(path: str) -> str:
    """A path with its parameters unnamed: `/a/{x}/b` and `/a/{y}/b` are the same collection."""
    return re.sub(r"\{[^}]+\}", "{}", without_format(path))


def detail_params(paths: list[str]) -> dict[str, str]:
    """A listing's path shape -> the parameter of its records' own path (`/jobs` -> jobId for `/jobs/{jobId}`)."""
    found = {}
    for path in paths:
        head, _, last = without_format(path).rpartition("/")
        if re.fullmatch(r"\{[^}]+\}", last):
            found[shape(head)] = last[1:-1]
    return found


def field_named_by(doc: Document, item: dict, param: str) -> str | None:
    """The records' field a parameter names: itself (`workspace_sid`), or one its last words name.

    `{userId}` -> id, `{project_gid}` -> gid, `{organization_id_or_slug}` -> id, else slug.
    """
    if found := doc.property_named(item, param):
        return found
    said = words(param)
    while said and said[-1] in (*IDENTIFYING_WORDS, "or"):
        said.pop()
    named = [w for w in words(param)[len(said):] if w != "or"]
    noun = "_".join(said)
    for word in sorted(named, key=lambda w: w not in ID_FIELDS):  # an id before a name or a slug: ids stay
        for candidate in (word, f"{noun}_{word}" if noun else ""):
            if candidate and (found := doc.property_named(item, candidate)):
                return found
    return None


def infer_primary_key(doc: Document, endpoint: ListEndpoint, detail_param: str | None) -> tuple[tuple[str, ...], str]:
    """The records' key, and how it was told ('' when plain)."""
    item = endpoint.item
    noun = singular(endpoint.name.rsplit("_", 1)[-1])
    an_id = next(filter(None, (doc.property_named(item, c) for c in (*ID_FIELDS, f"{noun}_id", f"{noun}Id"))), None)
    named = field_named_by(doc, item, detail_param) if detail_param else None
    if named and (an_id is None or words(named)[-1] in ID_FIELDS):
        return (named,), ""
    if an_id:
        note = (f"Key: `{an_id}`, though the records' own path names them by `{named}`: an id stays when a "
                f"`{named}` changes." if named else "")
        return (an_id,), note
    if detail_param:
        required = {str(r) for r in doc.schema(item).get("required") or []}
        for candidate in NATURAL_KEYS:
            found = doc.property_named(item, candidate)
            if found and found in required and doc.is_scalar(doc.properties(item)[found]):
                return (found,), (f"Key: every record has `{found}`, and the records' own path "
                                  f"({{{detail_param}}}) takes something other than an id field: `{found}` assumed.")
    return (), ""
