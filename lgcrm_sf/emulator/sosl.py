"""SOSL: parsing `FIND {terms} IN ... FIELDS RETURNING Obj(fields WHERE ... LIMIT n) LIMIT n`
and the search expression inside the braces.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_syntax.htm

The search expression: words and "quoted phrases", the wildcards * (any characters) and ?
(one character), AND, OR, AND NOT and parentheses; words side by side must all match. The
reserved characters ? & | ! { } [ ] ( ) ^ ~ * : \\ " ' + - stand for themselves only when
escaped with a backslash, even inside quotes
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_sosl_find.htm).
Matching is by token, as Salesforce's index matches: text is cut into runs of letters and
digits, compared case-insensitively (search.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

RESERVED = set("?&|!{}[]()^~*:\\\"'+-")
SCOPES = {"ALL": "ALL", "NAME": "NAME", "EMAIL": "EMAIL", "PHONE": "PHONE", "SIDEBAR": "ALL"}
MAX_LIMIT = 2000


class SoslError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def malformed(message: str) -> SoslError:
    return SoslError("MALFORMED_SEARCH", message)


# --- the search expression ----------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """A word or a phrase: token patterns that must appear in a row in one field."""

    tokens: tuple[re.Pattern | str, ...]
    literal_chars: int


@dataclass(frozen=True)
class Op:
    op: str  # AND OR ANDNOT
    left: object
    right: object


def _token_pattern(token: str) -> re.Pattern | str:
    if "*" not in token and "?" not in token:
        return token
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in token)
    return re.compile(body + r"\Z", re.S)


def _term(text: str, escaped: set[int]) -> Term:
    """Cut a word or phrase into tokens: runs of letters, digits and unescaped wildcards. An
    escaped * or ? is punctuation like any other, so it separates tokens."""
    tokens, current, literal = [], [], 0
    for i, ch in enumerate(text + " "):
        wild = ch in "*?" and i not in escaped
        if wild or ch.isalnum():
            current.append(ch if wild else ch.casefold())
            literal += not wild
        elif current:
            tokens.append(_token_pattern("".join(current)))
            current = []
    return Term(tuple(tokens), literal)


def _lex(body: str) -> list[tuple[str, object]]:
    """('(' | ')' | 'AND' | 'OR' | 'NOT' | 'TERM', value) tokens of a FIND expression."""
    out: list[tuple[str, object]] = []
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            out.append((ch, None))
            i += 1
            continue
        phrase = ch == '"'
        if phrase:
            i += 1
        text, escaped = [], set()
        while i < n:
            ch = body[i]
            if ch == "\\":
                if i + 1 >= n:
                    raise malformed("Search query ends with an unfinished escape: \\")
                escaped.add(len(text))
                text.append(body[i + 1])
                i += 2
                continue
            if phrase and ch == '"':
                i += 1
                break
            if not phrase and (ch.isspace() or ch in '()"'):
                break
            if ch in RESERVED and ch not in "*?":
                raise malformed(
                    f"Reserved character '{ch}' in the search query must be escaped with a "
                    "backslash: \\" + ch
                )
            text.append(ch)
            i += 1
        else:
            if phrase:
                raise malformed("Unterminated quoted phrase in the search query")
        word = "".join(text)
        upper = word.upper() if not phrase and not escaped else ""
        if upper in ("AND", "OR", "NOT"):
            out.append((upper, None))
        elif word:
            out.append(("TERM", _term(word, escaped)))
    return out


class _Parser:
    def __init__(self, tokens: list) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self):
        node = self.conjunction()
        while self.peek() == "OR":
            self.take()
            node = Op("OR", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.unit()
        while self.peek() in ("AND", "TERM", "("):
            op = "AND"
            if self.peek() == "AND":
                self.take()
                if self.peek() == "NOT":
                    self.take()
                    op = "ANDNOT"
            node = Op(op, node, self.unit())
        return node

    def unit(self):
        kind = self.peek()
        if kind == "(":
            self.take()
            node = self.expression()
            if self.peek() != ")":
                raise malformed("Unbalanced parentheses in the search query")
            self.take()
            return node
        if kind == "TERM":
            return self.take()[1]
        raise malformed(f"Unexpected {kind or 'end'} in the search query")


def _terms(node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return _terms(node.left) + _terms(node.right)


@lru_cache(maxsize=256)
def parse_expression(body: str):
    """The parsed search expression of a FIND body, or a SoslError."""
    tokens = _lex(body)
    if not any(t[0] == "TERM" for t in tokens):
        raise SoslError("INVALID_SEARCH", f"search term must be longer than one character: {body}")
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        raise malformed(f"Unexpected {parser.peek()} in the search query")
    if max(t.literal_chars for t in _terms(node)) < 2:
        raise SoslError("INVALID_SEARCH", f"search term must be longer than one character: {body}")
    return node


# --- the statement --------------------------------------------------------------------------
@dataclass
class Returning:
    sobject: str
    fields: str = ""  # the SELECT list text, "" for Id only
    clauses: str = ""  # WHERE / ORDER BY / LIMIT / OFFSET text, as SOQL spells them


@dataclass
class Search:
    body: str
    scope: str = "ALL"
    returning: list[Returning] = field(default_factory=list)
    limit: int = MAX_LIMIT


def _find_body(text: str) -> tuple[str, int]:
    m = re.match(r"\s*FIND\s*", text, re.I)
    if not m:
        raise malformed("Search statements start with FIND")
    i = m.end()
    if i >= len(text) or text[i] != "{":
        raise malformed("No search term found. The search term must be enclosed in braces.")
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "}":
            return text[i + 1 : j], j + 1
        j += 1
    raise malformed("No search term found. The search term must be enclosed in braces.")


_CLAUSE = re.compile(r"\s*(IN|RETURNING|LIMIT|WITH|UPDATE)\b", re.I)


def _split_top(text: str, sep: str) -> list[str]:
    """Split on `sep` outside parentheses and quoted strings."""
    parts, depth, quote, start, i = [], 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == "'":
                quote = False
        elif ch == "'":
            quote = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _returning(spec: str) -> Returning:
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*", spec, re.S)
    if not m:
        raise malformed(f"Unexpected RETURNING clause: {spec.strip()}")
    name, inner = m.group(1), (m.group(2) or "").strip()
    if not inner:
        return Returning(name)
    keyword = re.search(r"\b(WHERE|ORDER\s+BY|LIMIT|OFFSET)\b", _mask_strings(inner), re.I)
    if keyword is None:
        return Returning(name, inner)
    return Returning(name, inner[: keyword.start()].strip(), inner[keyword.start() :].strip())


def _mask_strings(text: str) -> str:
    """The text with quoted strings blanked, so keywords inside them are not seen."""
    return re.sub(r"'(?:[^'\\]|\\.)*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", text)


@lru_cache(maxsize=256)
def parse(text: str) -> Search:
    body, i = _find_body(text)
    search = Search(body)
    rest = text[i:]
    while rest.strip():
        m = _CLAUSE.match(rest)
        if not m:
            raise malformed(f"unexpected token: '{rest.strip().split()[0]}'")
        word, rest = m.group(1).upper(), rest[m.end() :]
        if word == "IN":
            g = re.match(r"\s*(ALL|NAME|EMAIL|PHONE|SIDEBAR)\s+FIELDS\b", rest, re.I)
            if not g:
                raise malformed("IN takes ALL FIELDS, NAME FIELDS, EMAIL FIELDS or PHONE FIELDS")
            search.scope, rest = SCOPES[g.group(1).upper()], rest[g.end() :]
        elif word == "RETURNING":
            end = _CLAUSE.search(_mask_strings(rest))
            # A clause keyword inside a RETURNING spec's parentheses belongs to it.
            while end and rest[: end.start()].count("(") != rest[: end.start()].count(")"):
                end = _CLAUSE.search(_mask_strings(rest), end.end())
            specs = rest[: end.start()] if end else rest
            rest = rest[end.start() :] if end else ""
            search.returning = [_returning(s) for s in _split_top(specs, ",")]
        elif word == "LIMIT":
            g = re.match(r"\s*(\d+)", rest)
            if not g:
                raise malformed("LIMIT takes a number")
            search.limit, rest = min(int(g.group(1)), MAX_LIMIT), rest[g.end() :]
        elif word == "UPDATE":
            g = re.match(r"\s*(TRACKING|VIEWSTAT)(\s*,\s*(TRACKING|VIEWSTAT))?", rest, re.I)
            if not g:
                raise malformed("UPDATE takes TRACKING or VIEWSTAT")
            rest = rest[g.end() :]  # search statistics: nothing to keep here
        else:
            raise malformed("WITH clauses are not supported by this emulator")
    return search
