"""The client: the base URL from `servers` (`host` + `basePath`), and auth from the security schemes.

Secrets are named, never written: `*_env` names derived from the API's name. The base URL and a
token URL are templates (`{{ env('<NAME>_BASE_URL', '<the document's URL>') }}`), overridable
when the definitions load.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any, Mapping

from rest_assets.scaffold.document import Document
from rest_assets.scaffold.words import one_line
from rest_assets.scaffold.yaml_writer import Commented, Template, jinja_literal

PLACEHOLDER_URL = "https://api.example.com"
URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+")


def env_prefix(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def env_template(variable: str, default: str) -> Template:
    """A setting read when the definitions load: the env var, else the document's value."""
    return Template(f"{{{{ env('{variable}', {jinja_literal(default)}) }}}}")


def base_url(doc: Document) -> tuple[str, list[str]]:
    """The document's base URL (a placeholder where it gives none), and notes."""
    url, notes = _swagger2_base_url(doc) if doc.swagger2 else _servers_base_url(doc)
    if not URL.fullmatch(url):
        notes.append(f"The document's server URL {url!r} is not an http(s) URL: set the base URL.")
        url = PLACEHOLDER_URL
    return url.rstrip("/"), notes


def _swagger2_base_url(doc: Document) -> tuple[str, list[str]]:
    schemes = [str(s) for s in doc.raw.get("schemes") or ["https"]]
    scheme = "https" if "https" in schemes else schemes[0]
    host = doc.raw.get("host")
    if host:
        return f"{scheme}://{host}{str(doc.raw.get('basePath') or '').rstrip('/')}", []
    return PLACEHOLDER_URL, ["The document names no host: set the base URL."]


def _servers_base_url(doc: Document) -> tuple[str, list[str]]:
    servers = [s for s in doc.raw.get("servers") or [] if isinstance(s, dict)]
    if not servers or not isinstance(servers[0].get("url"), str):
        return PLACEHOLDER_URL, ["The document lists no servers: set the base URL."]
    url = servers[0]["url"]
    notes = []
    for variable, spec in (servers[0].get("variables") or {}).items():
        default = (spec or {}).get("default", "") if isinstance(spec, dict) else ""
        url = url.replace(f"{{{variable}}}", str(default))
        notes.append(f"Server variable {one_line(variable)}: its default, {one_line(default)!r}.")
    if not urllib.parse.urlparse(url).scheme:
        notes.append(f"The document's server URL {one_line(url)!r} is relative: set the base URL.")
        url = PLACEHOLDER_URL + ("/" + url.lstrip("/") if url.strip("/") else "")
    if len(servers) > 1:
        notes.append("Other servers in the document: " + ", ".join(one_line(s.get("url")) for s in servers[1:]))
    return url, notes


def infer_auth(doc: Document, prefix: str, base: str) -> tuple[dict | None, list[str]]:
    """dlt's auth from the document's security schemes, the one its operations ask for first; and notes."""
    declared = doc.raw.get("securityDefinitions") if doc.swagger2 else (doc.raw.get("components") or {}).get(
        "securitySchemes")
    schemes = {str(k): doc.deref(v) for k, v in (declared or {}).items() if isinstance(doc.deref(v), dict)}
    if not schemes:
        return None, ["The document declares no security scheme: no auth (add dlt's `auth` if the API needs one)."]
    order = [name for name in _asked_for(doc) if name in schemes]
    order += [name for name in schemes if name not in order]
    candidates = [(name, _auth_for(doc, schemes[name], prefix, base)) for name in order]
    usable = [(name, auth, notes) for name, (auth, notes) in candidates if auth is not None]
    if not usable:
        return None, [f"Security scheme {name}: {' '.join(notes)}" for name, (_, notes) in candidates]
    # An OAuth2 client-credentials flow first: dlt fetches and renews its tokens itself.
    name, auth, notes = next((u for u in usable if u[1]["type"] == "oauth2_client_credentials"), usable[0])
    others = [n for n in order if n != name]
    lines = [f"From the security scheme {one_line(name)!r}."
             + (f" The document also offers: {', '.join(one_line(o) for o in others)}." if others else "")]
    return auth, lines + notes


def _asked_for(doc: Document) -> list[str]:
    """Security scheme names in the order the document asks for them: globally, then by its operations."""
    requirements = list(doc.raw.get("security") or [])
    for item in (doc.raw.get("paths") or {}).values():
        for operation in (item.values() if isinstance(item, dict) else []):
            if isinstance(operation, dict):
                requirements += operation.get("security") or []
    names: list[str] = []
    for requirement in requirements:
        names += [str(n) for n in (requirement if isinstance(requirement, dict) else {}) if str(n) not in names]
    return names


def _auth_for(doc: Document, scheme: Mapping[str, Any], prefix: str, base: str) -> tuple[dict | None, list[str]]:
    kind = scheme.get("type")
    http_scheme = str(scheme.get("scheme", "")).lower()
    if kind == "basic" or (kind == "http" and http_scheme == "basic"):
        return Commented(type="http_basic", username_env=f"{prefix}_USERNAME", password_env=f"{prefix}_PASSWORD"), []
    if kind == "http" and http_scheme == "bearer":
        return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), []
    if kind == "apiKey":
        location = scheme.get("in")
        if location not in ("header", "query", "cookie") or not isinstance(scheme.get("name"), str):
            return None, [f"an API key in {one_line(location)!r}, which dlt cannot send."]
        return Commented(type="api_key", name=scheme["name"], location=location, api_key_env=f"{prefix}_API_KEY"), []
    if kind == "oauth2":
        return _oauth2(doc, scheme, prefix, base)
    if kind == "openIdConnect":
        return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), [
            "OpenID Connect: get an access token from the provider and name it here; it is sent as a bearer token."]
    return None, [f"a scheme of type {one_line(kind)!r}{f' ({one_line(http_scheme)})' if http_scheme else ''}, "
                  "which dlt has no auth for."]


def _oauth2(doc: Document, scheme: Mapping[str, Any], prefix: str, base: str) -> tuple[dict, list[str]]:
    flows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {}
    token_url = (flows.get("clientCredentials") or {}).get("tokenUrl")
    if doc.swagger2 and scheme.get("flow") == "application":
        token_url = scheme.get("tokenUrl")
    if isinstance(token_url, str) and token_url:
        if not urllib.parse.urlparse(token_url).scheme:
            token_url = urllib.parse.urljoin(base + "/", token_url.lstrip("/"))
        if URL.fullmatch(token_url):
            return Commented(type="oauth2_client_credentials",
                             access_token_url=env_template(f"{prefix}_TOKEN_URL", token_url),
                             client_id_env=f"{prefix}_CLIENT_ID", client_secret_env=f"{prefix}_CLIENT_SECRET"), []
    flow = ", ".join(str(f) for f in flows) or one_line(scheme.get("flow")) or "unnamed"
    return Commented(type="bearer", token_env=f"{prefix}_API_TOKEN"), [
        f"Its OAuth2 flow ({one_line(flow)}) needs a person to authorize: get a token that way and name it here; "
        "it is sent as a bearer token (RFC 6750)."]
