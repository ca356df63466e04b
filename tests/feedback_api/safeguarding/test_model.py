"""The triage model's margins, worked out text by text, are scikit-learn's own numbers."""

from __future__ import annotations

import numpy as np

from feedback_api.safeguarding.triage import default_triager, load_examples


def test_margins_equal_the_vectorizers_and_the_svm() -> None:
    triager = default_triager()
    model = triager.model
    texts = [text for _variety, text, _label in load_examples("train")[::7]]
    texts += ["", "   ", "qqq zzz", "۱۲۳۴ 5678", "سلااااام", "salam 2 hafte montazeram"]
    lines = [triager.cues.neutral(text) for text in texts]

    ours = np.array([[m[label] for label in model.labels] for m in model.margins(lines)])
    assert model._svm is not None
    theirs = model._svm.decision_function(model._matrix(lines, fit=False))

    assert ours.shape == theirs.shape == (len(texts), len(model.labels))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    assert np.ptp(ours) > 1  # real margins, not a constant
