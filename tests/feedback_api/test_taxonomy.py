"""The taxonomy and province list: copies of the shared contract, loaded as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedback_api.settings import ROOT
from feedback_api.taxonomy import HERE, Role, Sensitivity, load_provinces, load_taxonomy

CONTRACT = ROOT.parent / "shared" / "contract"


@pytest.mark.parametrize("name", ["taxonomy.yml", "provinces.csv"])
def test_copies_are_identical_to_the_contract(name: str) -> None:
    if not CONTRACT.is_dir():
        pytest.skip(f"the shared contract is not checked out at {CONTRACT}")
    assert (HERE / name).read_bytes() == (CONTRACT / name).read_bytes(), (
        f"feedback_api/taxonomy/{name} differs from {CONTRACT / name}: copy the contract file"
    )


def test_the_sixteen_categories_of_the_design() -> None:
    categories = load_taxonomy().categories
    assert set(categories) == {
        "APP", "INF", "AST", "SUG", "CMN", "CMJ", "RUM", "SEA",
        "CSG", "FRD", "MIS", "SAF", "DPB", "OOS", "CFM", "OTH",
    }  # fmt: skip
    levels = {code: c.sensitivity for code, c in categories.items()}
    assert {c for c, s in levels.items() if s is Sensitivity.S3} == {"SEA", "CSG", "SAF"}
    assert {c for c, s in levels.items() if s is Sensitivity.S2} == {"FRD", "MIS", "DPB"}


def test_sensitive_categories_run_on_calendar_hours_and_have_a_route() -> None:
    for category in load_taxonomy().categories.values():
        assert category.clock in ("business", "calendar")
        if category.sensitivity.rank >= 2:
            assert category.clock == "calendar", category.code
            assert category.route is not None, category.code
        for hours in (category.ack_hours, category.act_hours, category.close_hours):
            assert hours is None or hours >= 0
    routes = {c.code: c.route for c in load_taxonomy().categories.values() if c.route}
    assert routes["SEA"] is Role.psea_focal_point and routes["SAF"] is Role.protection_focal_point
    assert routes["DPB"] is Role.data_protection_officer


def test_roles_and_statuses_match_the_code() -> None:
    taxonomy = load_taxonomy()
    assert set(taxonomy.roles) == {role.value for role in Role}
    assert taxonomy.statuses[0] == "NEW"


def test_the_31_provinces_with_persian_names() -> None:
    provinces = load_provinces()
    assert len(provinces) == 31
    assert "Tehran" in provinces and "Razavi Khorasan" in provinces
    assert all(p.name_fa and p.capital_en and p.capital_fa for p in provinces.values())
    assert provinces["Razavi Khorasan"].capital_en == "Mashhad"


def test_the_loaders_read_other_files_too(tmp_path: Path) -> None:
    copy = tmp_path / "provinces.csv"
    copy.write_text("name_en,name_fa,capital_en,capital_fa\nTehran,تهران,Tehran,تهران\n")
    assert list(load_provinces(copy)) == ["Tehran"]
