"""Free text in Spanish, as the public search reads it: accents, case and plurals do not matter.

A text becomes a list of *terms*: lower case, accents and the tilde of ñ removed (people type from
keyboards without them), each word cut to its Snowball Spanish stem (``guantes`` and ``guante``
are both ``guant``), the commonest short words dropped. The same function prepares what is stored
(``document``) and what is asked (``query_terms``), so both sides always agree.

Matching is a lookup, ``matches``, registered on ``TextField``: on PostgreSQL it is full-text
search over ``to_tsvector('simple', column)`` (the column already holds stems, so the 'simple'
configuration is right, and a GIN index on that expression serves it); on SQLite, where the
portal runs for demos, a chain of ``LIKE`` on word boundaries gives the same answers, slower.
Every query term matches as a prefix (``medic`` finds ``medicamentos``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from django.db.models import Lookup, TextField

WORD = re.compile(r"[0-9a-z]+")
# Articles, prepositions and conjunctions: they only make every text match.
STOPWORDS = frozenset({
    "a", "al", "ante", "bajo", "con", "contra", "de", "del", "desde", "e", "el", "en", "entre", "hacia",
    "hasta", "la", "las", "lo", "los", "o", "para", "por", "segun", "sin", "sobre", "tras", "u", "un",
    "una", "unas", "unos", "y",
})  # fmt: skip
MAX_QUERY_TERMS = 8
_stemmer = snowballstemmer.stemmer("spanish")


def fold(text: str) -> str:
    """Lower case without accents: ``Ñandú Cuéllar`` → ``nandu cuellar``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return word if word.isdigit() else _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """The search terms of ``text``, in order, repeated words kept."""
    return [_stem(word) for word in WORD.findall(fold(text or "")) if word not in STOPWORDS]


def document(*texts: str) -> str:
    """What to store in a searchable column for these texts: their distinct terms, space-separated."""
    seen: dict[str, None] = {}
    for text in texts:
        for term in terms(text):
            seen.setdefault(term, None)
    return " ".join(seen)


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, at most ``MAX_QUERY_TERMS`` (a pasted paragraph is not a query)."""
    return list(dict.fromkeys(terms(text)))[:MAX_QUERY_TERMS]


@TextField.register_lookup
class Matches(Lookup):
    """``column__matches=["guant", "latex"]``: every term is the start of a word of the column.

    The right-hand side is a list of terms from ``query_terms`` (or exact keys, see
    ``KeysMatch``); they hold only ``[0-9a-z]``, so nothing of the query syntax can come in.
    """

    lookup_name = "matches"
    prefix = True
    prepare_rhs = False  # a list of terms, not a text to convert

    def _terms(self) -> list[str]:
        values = [value for value in self.rhs if WORD.fullmatch(value)]
        if not values:
            raise ValueError("matches needs at least one term of [0-9a-z]")
        return values

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        suffix = ":*" if self.prefix else ""
        query = " & ".join(f"{term}{suffix}" for term in self._terms())
        return f"to_tsvector('simple'::regconfig, {lhs}) @@ to_tsquery('simple'::regconfig, %s)", [
            *lhs_params,
            query,
        ]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        clauses, params = [], []
        for term in self._terms():
            clauses.append(f"(' ' || {lhs} || ' ') LIKE %s")
            params.extend([*lhs_params, f"% {term}{'%' if self.prefix else ' %'}"])
        return " AND ".join(clauses), params


@TextField.register_lookup
class KeysMatch(Matches):
    """``column__has_keys=["c4321", "r15"]``: every key is a whole word of the column (no prefix)."""

    lookup_name = "has_keys"
    prefix = False
