"""The language registry and the catalogues: what they accept, what they refuse, and a
third language added by data alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from persian_text import catalogue, languages, sms
from tests import third_language
from tests.third_language import CATALOGUES, ROOT, pashto_registered, written_pashto


def _registry_file(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(languages.DEFAULT_FILE.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "languages.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_registry_in_use_speaks_farsi_and_dari_to_people() -> None:
    registry = languages.registry()
    assert registry.codes("people") == ("fa", "prs")
    assert registry.codes("console") == ("fa", "en")
    assert registry.default == "fa"
    assert (registry.offer("fa"), registry.offer("prs")) == ("prs", "fa")
    dari = registry.get("prs")
    assert (dari.native, dari.english, dari.direction, dari.sms) == ("دری", "Dari", "rtl", "ucs2")
    assert registry.get("en").direction == "ltr"


def test_codes_are_checked_for_their_audience() -> None:
    registry = languages.registry()
    assert registry.check("prs") == "prs"
    for code in ("en", "ps", "FA", ""):
        with pytest.raises(languages.UnknownLanguage):
            registry.check(code)
    with pytest.raises(languages.UnknownLanguage):
        registry.check("prs", "console")
    assert registry.pick(None).code == "fa" and registry.pick("en").code == "fa"
    assert registry.pick("en", "console").code == "en"


def test_digits_and_sms_budget_come_from_the_language() -> None:
    registry = languages.registry()
    assert registry.get("prs").with_digits("1234-5678") == "۱۲۳۴-۵۶۷۸"
    assert registry.get("en").with_digits("1234") == "1234"
    assert sms.capacity(registry.get("fa").sms) == 70
    assert sms.capacity(registry.get("en").sms) == 160


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"default": "prs"}, "default"),  # not a console language
        ({"default": "xx"}, "default"),
        ({"languages": [{"code": "fa", "native": "فارسی"}]}, "lacks english"),
    ],
)
def test_a_broken_registry_names_its_fault(
    tmp_path: Path, changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(languages.RegistryError, match=problem):
        languages.load(_registry_file(tmp_path, **changes))


def test_a_language_entry_is_checked(tmp_path: Path) -> None:
    data = yaml.safe_load(languages.DEFAULT_FILE.read_text(encoding="utf-8"))
    for field, bad in (("direction", "down"), ("sms", "utf8"), ("digits", "0123")):
        entry = {**data["languages"][0], field: bad}
        path = _registry_file(tmp_path, languages=[entry, *data["languages"][1:]])
        with pytest.raises(languages.RegistryError, match=field):
            languages.load(path)
    twice = _registry_file(tmp_path, languages=[*data["languages"], data["languages"][0]])
    with pytest.raises(languages.RegistryError, match="twice"):
        languages.load(twice)


def test_every_catalogue_has_every_text() -> None:
    for relative, audience in CATALOGUES.items():
        texts = catalogue.load(ROOT / relative, audience)
        for key in texts:
            assert set(texts.entry(key)) == set(languages.registry().codes(audience)), key


def test_a_catalogue_lacking_a_text_does_not_load(tmp_path: Path) -> None:
    path = tmp_path / "texts.yml"
    path.write_text('hello: {fa: "سلام"}\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="hello has no text in prs"):
        catalogue.load(path, "people")
    path.write_text('hello: {fa: "سلام", prs: "سلام", pz: "x"}\n', encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="texts in pz"):
        catalogue.load(path, "people")
    path.write_text("hello: سلام\n", encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match="one text per language"):
        catalogue.load(path, "people")


def test_a_text_is_filled_in_and_asked_in_a_language_of_its_catalogue(tmp_path: Path) -> None:
    path = tmp_path / "texts.yml"
    path.write_text('case: {fa: "پرونده {ref}", prs: "دوسیه {ref}"}\n', encoding="utf-8")
    texts = catalogue.load(path, "people")
    assert texts.text("case", "prs", ref="1234-5678") == "دوسیه 1234-5678"
    with pytest.raises(languages.UnknownLanguage):
        texts.text("case", "en")


def test_a_third_language_is_data(tmp_path: Path) -> None:
    with pashto_registered(tmp_path) as registry:
        assert registry.codes("people") == ("fa", "prs", "ps")
        assert "ps" in registry.codes("console") and registry.get("ps").direction == "rtl"
        assert registry.offer("ps") == "fa"
        for relative, audience in CATALOGUES.items():
            texts = catalogue.load(ROOT / relative, audience)
            assert all("ps" in texts.entry(key) for key in texts), relative
        relative = "channels/texts/messages.yml"
        assert third_language.load(relative).text("received_ack", "ps") == written_pashto(
            relative, "received_ack"
        )
    assert languages.registry().codes("people") == ("fa", "prs")
    with pytest.raises(languages.UnknownLanguage):
        third_language.load("channels/texts/messages.yml").text("received_ack", "ps")


def test_a_third_language_without_its_texts_does_not_load(tmp_path: Path) -> None:
    with pashto_registered(tmp_path) as registry:
        (registry.texts[0] / "feedback_api/cases/status_labels.yml").write_text(
            'NEW: {ps: "نوې"}\n', encoding="utf-8"
        )
        with pytest.raises(catalogue.CatalogueError, match="ACKNOWLEDGED has no text in ps"):
            catalogue.load(ROOT / "feedback_api/cases/status_labels.yml", "people")
