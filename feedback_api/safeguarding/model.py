"""The learned half of the disclosure triage: a linear SVM over word and character n-grams.

Trained in a second or two when first used, from the labelled set in
bot/triage/train, so no model file is built or shipped. Three views of a text:
- word uni- and bigrams carry vocabulary ("صیغه", "رشوه");
- character n-grams inside words carry spelling variants, Dari and Farsi forms
  of a word and typing noise;
- the consonant skeleton of every word (as words and as character n-grams) puts
  Latin-script Persian and Persian script side by side ("pool" and "پول" are both
  "pl"), since Persian script leaves short vowels out and Finglish spells vowels
  every which way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from persian_text import ZWNJ, normalize
from persian_text.skeleton import skeleton

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Normalised words: Arabic letters and digits mapped, ZWNJ joined, lower case."""
    return _WORD.findall(normalize(text).replace(ZWNJ, "").lower())


def _skeletons(text: str) -> str:
    return " ".join(filter(None, (skeleton(w) for w in text.split())))


def _chars(sizes: tuple[int, int]) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=sizes, sublinear_tf=True)


def _words() -> TfidfVectorizer:
    # Texts arrive as normalised words joined by spaces: a word is what lies between them.
    return TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        tokenizer=str.split,
        token_pattern=None,
    )


@dataclass
class TriageModel:
    c: float = 1.0
    labels: list[str] = field(default_factory=list)
    _views: list[tuple[TfidfVectorizer, bool]] = field(default_factory=list)
    _svm: LinearSVC | None = None

    def _matrix(self, texts: Sequence[str], fit: bool) -> csr_matrix:
        blocks = []
        for vectorizer, on_skeleton in self._views:
            view = [_skeletons(t) for t in texts] if on_skeleton else list(texts)
            blocks.append(vectorizer.fit_transform(view) if fit else vectorizer.transform(view))
        return hstack(blocks).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> TriageModel:
        self._views = [
            (_chars((2, 5)), False),
            (_words(), False),
            (_chars((2, 4)), True),
            (_words(), True),
        ]
        self._svm = LinearSVC(C=self.c).fit(self._matrix(texts, fit=True), list(labels))
        self.labels = [str(label) for label in self._svm.classes_]
        return self

    def margins(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Per text, each label's distance from the SVM's boundary (higher: more likely).

        Worked out from the fitted vocabularies and weights, text by text: the numbers of
        the vectorizers' transform and the SVM's decision_function (a test compares them)
        without their per-call checks, which cost every message's turn a few milliseconds.
        """
        assert self._svm is not None, "fit first"
        views = self._analyzers()
        weights, intercept = self._svm.coef_, self._svm.intercept_
        out = []
        for text in texts:
            columns: list[int] = []
            values: list[float] = []
            offset = 0
            for (vectorizer, on_skeleton), analyze in zip(self._views, views, strict=True):
                tokens = analyze(_skeletons(text) if on_skeleton else text)
                vocabulary, idf = vectorizer.vocabulary_, vectorizer.idf_
                counts = Counter(i for t in tokens if (i := vocabulary.get(t)) is not None)
                # sublinear tf times idf, then each view's vector to unit length (l2)
                block = {i: (1 + math.log(n)) * idf[i] for i, n in counts.items()}
                norm = math.sqrt(sum(v * v for v in block.values())) or 1.0
                columns.extend(offset + i for i in block)
                values.extend(v / norm for v in block.values())
                offset += len(vocabulary)
            scores = weights[:, columns] @ np.asarray(values) + intercept
            out.append(dict(zip(self.labels, map(float, scores), strict=True)))
        return out

    def _analyzers(self) -> list[Callable[[str], list[str]]]:
        """Each view's tokenizer (built once; closures, so not kept with the model)."""
        if getattr(self, "_analyze", None) is None:
            self._analyze = [vectorizer.build_analyzer() for vectorizer, _ in self._views]
        return self._analyze
