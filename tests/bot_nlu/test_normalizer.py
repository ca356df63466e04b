"""The normaliser component: same text at training and run time, entity offsets moved."""

from __future__ import annotations

from nlu_components.normalizer import PersianNormalizer, move_entities, nlu_text
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def entity(text: str, value: str, kind: str = "province") -> dict:
    start = text.index(value)
    return {"entity": kind, "start": start, "end": start + len(value), "value": value}


def test_nlu_text_turns_zwnj_into_a_space_and_keeps_length() -> None:
    text, spans = nlu_text("می\u200cخواهم")
    assert text == "می خواهم"
    assert len(spans) == len(text)


def test_entities_follow_removed_characters() -> None:
    raw = "\u200fمن  در شـهـر  مشـهد   هستم"
    text, [moved] = move_entities(raw, [entity(raw, "مشـهد")])
    assert text == "من در شهر مشهد هستم"
    assert text[moved["start"] : moved["end"]] == "مشهد"


def test_annotation_with_spaces_at_its_edges_is_trimmed() -> None:
    raw = "کد  ۱۲۳۴-۵۶۷۸  است"
    start = raw.index(" ۱۲")
    ann = {"entity": "case_reference", "start": start, "end": start + 12, "value": "x"}
    text, [moved] = move_entities(raw, [ann])
    assert text[moved["start"] : moved["end"]] == "1234-5678"


def test_training_and_run_time_give_the_same_text() -> None:
    raw = "سلام، كمك ميخوام\u200c  فوري"
    training = TrainingData([Message({TEXT: raw, "intent": "help"})])
    PersianNormalizer().process_training_data(training)
    [live] = PersianNormalizer().process([Message({TEXT: raw})])
    assert training.training_examples[0].get(TEXT) == live.get(TEXT) == "سلام، کمک میخوام فوری"


def test_training_entities_are_moved(training_data: TrainingData) -> None:
    """Every annotation in the real training data still covers its text after normalising."""
    examples = [m for m in training_data.training_examples if m.get(ENTITIES)]
    assert examples
    before = {
        id(m): [m.get(TEXT)[e["start"] : e["end"]] for e in m.get(ENTITIES)] for m in examples
    }
    copy = TrainingData([Message(dict(m.data)) for m in examples])
    PersianNormalizer().process_training_data(copy)
    for original, message in zip(examples, copy.training_examples, strict=True):
        spans = [message.get(TEXT)[e["start"] : e["end"]] for e in message.get(ENTITIES)]
        assert spans == [nlu_text(s)[0] for s in before[id(original)]]
