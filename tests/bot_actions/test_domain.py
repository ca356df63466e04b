"""The domain: the NLU contract's names, and every response in Farsi and Dari.

Texts only the custom actions send are in bot/data/knowledge/messages.yml
(tests/bot_actions/test_knowledge.py checks them).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
import yaml

from persian_text import sms
from tests.bot_actions.apiserver import ROOT

CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "help", "request_human", "set_language",
    "ask_cash_assistance", "ask_shelter", "ask_health", "ask_mhpss", "ask_wash",
    "ask_livelihoods", "ask_documentation", "ask_labour_migration", "report_exploitation",
    "need_protection", "emergency", "file_complaint", "give_feedback", "report_misconduct",
    "check_case_status", "request_data_deletion", "out_of_scope", "more_info", "ask_privacy",
}  # fmt: skip
CONTRACT_ENTITIES = {"province", "case_reference", "language"}


def load_domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"intents": [], "entities": [], "responses": {}, "actions": []}
    for path in sorted((ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("intents", "entities", "actions"):
            merged[key] += data.get(key, [])
        merged["responses"].update(data.get("responses", {}))
    return merged


DOMAIN = load_domain()


def test_contract_names_are_declared() -> None:
    assert set(DOMAIN["intents"]) >= CONTRACT_INTENTS
    assert set(DOMAIN["entities"]) >= CONTRACT_ENTITIES


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_response_exists_in_dari_and_farsi(name: str) -> None:
    variations = DOMAIN["responses"][name]
    languages = {
        condition["value"]
        for variation in variations
        for condition in variation.get("condition", [])
        if condition["name"] == "language"
    }
    assert "prs" in languages, name
    # The unconditioned variation is the Farsi one, also used before a choice.
    assert any("condition" not in variation for variation in variations), name
    for variation in variations:
        assert sms.fits(variation["text"]), (name, variation["text"])


def test_responses_named_in_actions_exist() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    named = set(re.findall(r'response\(\s*"(utter_[a-z_]+)"', source))
    assert named
    assert named <= set(DOMAIN["responses"]), named - set(DOMAIN["responses"])


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_domain_responses_have_no_buttons(name: str) -> None:
    """Menus and offers come from the actions, which add the notice, the language
    offer and the SMS hint a turn needs; the emergency numbers keep their one
    button (no action server needed), its hint written in the text."""
    for variation in DOMAIN["responses"][name]:
        if name == "utter_emergency_numbers":
            assert [b["payload"] for b in variation["buttons"]] == ["/request_human"]
            assert "۱" in variation["text"]
        else:
            assert "buttons" not in variation, name


def test_messages_named_in_actions_exist_and_all_are_used() -> None:
    from actions.knowledge import KnowledgeBase

    source = "\n".join(p.read_text() for p in (ROOT / "actions").glob("*.py"))
    catalogue = KnowledgeBase(ROOT / "bot" / "data" / "knowledge").message_keys()
    calls = r'(?:say|tell|message)\(\s*(?:dispatcher,\s*tracker,\s*)?"([a-z_]+)"'
    named = set(re.findall(calls, source))
    assert named
    assert named <= catalogue, named - catalogue
    # Sub-menus are opened by the buttons that name them (/help{"menu": "services"}).
    messages = (ROOT / "bot" / "data" / "knowledge" / "messages.yml").read_text()
    opened = {f"menu_{name}" for name in re.findall(r'"menu": "(\w+)"', messages)}
    assert opened and opened <= catalogue, opened - catalogue
    unused = {key for key in catalogue if f'"{key}"' not in source and key not in opened}
    assert unused == set()


def test_no_response_is_both_in_the_domain_and_in_messages() -> None:
    from actions.knowledge import KnowledgeBase

    catalogue = KnowledgeBase(ROOT / "bot" / "data" / "knowledge").message_keys()
    assert {f"utter_{key}" for key in catalogue} & set(DOMAIN["responses"]) == set()


def test_every_custom_action_is_declared() -> None:
    from rasa_sdk import Action

    import actions

    for module in pkgutil.iter_modules(actions.__path__):
        if module.name != "startup":  # it starts the spool thread
            importlib.import_module(f"actions.{module.name}")
    names = {cls().name() for cls in _subclasses(Action) if cls.__module__.startswith("actions.")}
    assert names
    assert names <= set(DOMAIN["actions"]), names - set(DOMAIN["actions"])


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found
