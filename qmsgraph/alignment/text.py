"""Comparing what projects say they will do: a TF-IDF index of project labels and aims.

The method was chosen by measuring candidates on paraphrases and near-misses
(``tests/data/overlap_cases.yaml``, ``benchmarks/bench_overlap.py``; figures in
docs/alignment.md): each text is lower-cased, the phrases of a small NHS QI thesaurus
(:mod:`.thesaurus`) become one concept word each ("bed sores", "pressure ulcers" ->
``pressureulcer``), words every aim has (reduce, patients, ...) and English stop words are
dropped, the rest are stemmed (Snowball), and scikit-learn's ``TfidfVectorizer`` weighs the
terms (sublinear tf, l2 norm). The cosine similarity of two texts is then the dot product
of their rows. Nothing is fetched at run time.

The index is built once per set of project texts (see :func:`text_index`): a store keeps it
with the revision it was built at, and a new revision whose project texts are unchanged
(a write that touched no project's label or aim) keeps the same index.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .thesaurus import CONCEPTS, QI_STOP_WORDS

_TOKEN = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*")
# phrase (as tokens) -> concept word; matched longest first at each token
_PHRASE_TOKENS = {tuple(_TOKEN.findall(p)): c for c, ps in CONCEPTS.items()
                  for p in (*ps, c)}
_MAX_PHRASE = max(len(k) for k in _PHRASE_TOKENS)
_CONCEPT_WORDS = frozenset(CONCEPTS)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | QI_STOP_WORDS


@lru_cache(maxsize=1)
def _stemmer() -> Callable[[str], str]:
    import snowballstemmer

    stem = snowballstemmer.stemmer("english").stemWord
    return lru_cache(maxsize=200_000)(stem)


def analyse(text: str, *, concepts: bool = True, stem: bool = True) -> list[str]:
    """The terms of a text as the index compares them (see the module docstring)."""
    toks = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    stop = _stop_words()
    st = _stemmer() if stem else None
    out: list[str] = []
    i, n = 0, len(toks)
    while i < n:
        if concepts:
            for size in range(min(_MAX_PHRASE, n - i), 0, -1):
                c = _PHRASE_TOKENS.get(tuple(toks[i:i + size]))
                if c is not None:
                    out.append(c)
                    i += size
                    break
            else:
                c = None
            if c is not None:
                continue
        w = toks[i]
        i += 1
        # stop words, single letters and figures (teams saying the same use other figures)
        if w in stop or len(w) < 2 or w.isdigit():
            continue
        out.append(w if (st is None or w in _CONCEPT_WORDS) else st(w))
    return out


# Below this many projects a full build takes well under a second: always rebuild.
INCREMENTAL_FROM = 5_000

METHODS = ("word", "stem", "char", "concepts", "concepts+char")


def _vectorizer(method: str) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if method == "word":
        return TfidfVectorizer(stop_words="english", sublinear_tf=True)
    if method == "stem":
        return TfidfVectorizer(analyzer=lambda s: analyse(s, concepts=False),
                               sublinear_tf=True)
    if method == "char":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    if method == "concepts":
        return TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
    raise ValueError(f"unknown text method {method!r}; one of {', '.join(METHODS)}")


@dataclass
class TextIndex:
    """Rows of project texts as TF-IDF vectors; ``search`` gives the closest."""

    ids: list[str]
    digest: str
    method: str = "concepts"
    texts: list[str] = field(default_factory=list, repr=False)
    _parts: list[tuple[Any, Any, float]] = field(default_factory=list, repr=False)
    _pos: dict[str, int] = field(default_factory=dict, repr=False)
    stale: int = 0   # rows vectorised with an earlier set's vocabulary and weights

    def text_of(self, node_id: str) -> str:
        i = self._pos.get(node_id)
        return "" if i is None else self.texts[i]

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], method: str = "concepts",
              digest: str | None = None) -> TextIndex:
        ix = cls(list(ids), digest or texts_digest(ids, texts), method, list(texts))
        ix._pos = {x: i for i, x in enumerate(ix.ids)}
        names = method.split("+") if method == "concepts+char" else [method]
        weight = 1.0 / len(names)
        for name in names:
            vec = _vectorizer(name)
            if len(texts):
                try:
                    mat = vec.fit_transform(texts).tocsr()
                except ValueError:  # every text empty after analysis: nothing to compare
                    mat = None
            else:
                mat = None
            ix._parts.append((vec, mat, weight))
        return ix

    def updated(self, ids: Sequence[str], texts: Sequence[str], digest: str | None = None
                ) -> TextIndex:
        """The index of a new set of texts. In a large register (``INCREMENTAL_FROM``
        projects or more) where few rows changed (at most a tenth since the last full
        build), only those are vectorised again, with this index's vocabulary and term
        weights (a new word counts from the next full build), so one project written in a
        register of 100,000 costs milliseconds; otherwise a full build, so that a smaller
        register always scores exactly as a fresh index would (on every store)."""
        from scipy.sparse import vstack

        digest = digest or texts_digest(ids, texts)
        changed = [k for k, (i, t) in enumerate(zip(ids, texts, strict=True))
                   if self.text_of(i) != t or i not in self._pos]
        limit = len(ids) // 10 if len(ids) >= INCREMENTAL_FROM else -1
        if (len(self._parts) != 1 or self._parts[0][1] is None
                or self.stale + len(changed) > limit):
            return TextIndex.build(ids, texts, self.method, digest)
        vec, mat, weight = self._parts[0]
        new_rows = vec.transform([texts[k] for k in changed]) if changed else None
        is_new = np.zeros(len(ids), dtype=bool)
        is_new[changed] = True
        keep = [self._pos[i] for i, fresh in zip(ids, is_new.tolist(), strict=True)
                if not fresh]
        parts = [mat[keep]] + ([new_rows] if new_rows is not None else [])
        stacked = vstack(parts).tocsr()
        # rows of `stacked`: the kept rows in order, then the changed ones; put them back
        order = np.empty(len(ids), dtype=np.int64)
        order[~is_new] = np.arange(len(keep))
        order[is_new] = len(keep) + np.arange(len(changed))
        ix = TextIndex(list(ids), digest, self.method, list(texts),
                       [(vec, stacked[order], weight)], {x: i for i, x in enumerate(ids)},
                       self.stale + len(changed))
        return ix

    def scores(self, text: str) -> np.ndarray:
        """Cosine similarity of ``text`` with every row (0 to 1)."""
        out = np.zeros(len(self.ids))
        for vec, mat, weight in self._parts:
            if mat is None:
                continue
            q = vec.transform([text])
            if q.nnz:
                out += weight * (mat @ q.T).toarray().ravel()
        return out

    def search(self, text: str, k: int = 10, min_score: float = 0.0
               ) -> list[tuple[str, float]]:
        """The ``k`` closest rows with a score of at least ``min_score``, best first (ties
        by id)."""
        if not text or not self.ids:
            return []
        s = self.scores(text)
        cand = np.flatnonzero(s >= max(min_score, 1e-9))
        if len(cand) > k:
            top = cand[np.argpartition(-s[cand], k - 1)[:k]]
            cand = np.flatnonzero(s >= s[top].min() - 1e-12)
        order = sorted(cand.tolist(), key=lambda i: (-round(float(s[i]), 9), self.ids[i]))
        return [(self.ids[i], round(float(s[i]), 4)) for i in order[:k]]

    def shared_terms(self, text: str, other: str, limit: int = 6) -> list[str]:
        """Terms two texts share, most telling first (for the reader: why they match)."""
        a, b = set(analyse(text)), set(analyse(other))
        both = a & b
        vec = self._parts[0][0] if self._parts else None
        idf = {}
        if vec is not None and hasattr(vec, "vocabulary_") and self.method != "char":
            voc = vec.vocabulary_
            idf = {t: float(vec.idf_[voc[t]]) for t in both if t in voc}
        return sorted(both, key=lambda t: (-idf.get(t, 0.0), t))[:limit]


def texts_digest(ids: Sequence[str], texts: Sequence[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for i, t in zip(ids, texts, strict=True):
        h.update(i.encode())
        h.update(b"\x00")
        h.update(t.encode())
        h.update(b"\x01")
    return h.hexdigest()


def project_text(label: str | None, aim: str | None, description: str | None = None) -> str:
    """What a project says it will do: its label, aim and description, in one text."""
    return ". ".join(x for x in (label, aim, description) if x)
