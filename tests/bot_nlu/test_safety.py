"""The emergency safety net raises the intent whatever the classifier said."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from nlu_components.safety import EmergencyKeywords
from rasa.shared.nlu.training_data.message import Message

CONFIG = Path(__file__).resolve().parents[2] / "bot" / "config.yml"


@pytest.fixture(scope="module")
def safety_net() -> EmergencyKeywords:
    pipeline = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["pipeline"]
    (config,) = [c for c in pipeline if c["name"].endswith("EmergencyKeywords")]
    return EmergencyKeywords({"phrases": config["phrases"]})


def classified(text: str, intent: str) -> Message:
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.2},
            "intent_ranking": [{"name": intent, "confidence": 0.2}],
        }
    )


@pytest.mark.parametrize(
    "text",
    [
        "برادرم میخواد خودشو بکشه",
        "پدرم بیهوشه کمک کنید",
        "دخترم نفس نمی‌کشد",
        "خانه ما آتيش گرفته",  # Arabic yeh from an Arabic keyboard
        "mikham bemiram",
    ],
)
def test_a_life_at_risk_is_an_emergency_whatever_the_classifier_said(
    safety_net: EmergencyKeywords, text: str
) -> None:
    (message,) = safety_net.process([classified(text, "nlu_fallback")])

    assert message.get("intent")["name"] == "emergency"
    assert message.get("intent_ranking")[0]["name"] == "emergency"


@pytest.mark.parametrize(
    "text", ["وسیله نقلیه ندارم", "میخواهم از کمک نقدی بپرسم", "سلام وقت بخیر"]
)
def test_ordinary_messages_keep_their_intent(safety_net: EmergencyKeywords, text: str) -> None:
    (message,) = safety_net.process([classified(text, "ask_cash_assistance")])

    assert message.get("intent")["name"] == "ask_cash_assistance"
