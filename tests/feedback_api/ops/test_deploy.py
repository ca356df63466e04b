"""deploy/: the env template names every setting, the YAML files read, the units agree."""

from __future__ import annotations

import re

import yaml

from feedback_api.settings import ROOT, SECRET_FIELDS, Settings

DEPLOY = ROOT / "deploy"
TEMPLATE = (DEPLOY / "env" / "aap.env.example").read_text()
NAMED = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", TEMPLATE, flags=re.MULTILINE))


def test_the_env_template_names_every_setting_of_the_service() -> None:
    missing = {name.upper() for name in Settings.model_fields} - NAMED
    assert not missing, f"add to deploy/env/aap.env.example: {sorted(missing)}"


def test_the_env_template_names_every_setting_of_the_action_server() -> None:
    # actions/ is the bot runtime (pydantic 1): read its field names from the source.
    source = (ROOT / "actions" / "settings.py").read_text()
    fields = set(re.findall(r"^    ([a-z_]+): ", source, flags=re.MULTILINE))
    assert fields and not {name.upper() for name in fields} - NAMED


def test_the_env_template_leaves_every_secret_to_be_generated() -> None:
    for name in SECRET_FIELDS:
        assert re.search(rf"^{name.upper()}=$", TEMPLATE, flags=re.MULTILINE), name


def test_rasa_reads_every_variable_of_its_endpoints_from_the_env_file() -> None:
    text = (DEPLOY / "rasa" / "endpoints.yml").read_text()
    endpoints = yaml.safe_load(text)
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert endpoints["lock_store"]["type"] == "redis"
    values = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    variables = set(re.findall(r"\$\{([A-Z_]+)\}", values))
    assert variables and variables <= {n for n in NAMED if f"\n{n}=" in TEMPLATE}


def test_the_proxies_keep_metrics_and_ready_inside() -> None:
    caddy = (DEPLOY / "caddy" / "Caddyfile").read_text()
    nginx = (DEPLOY / "nginx" / "aap.conf").read_text()
    assert "@internal path /metrics /metrics/* /ready /ready/*" in caddy
    for path in ("= /metrics", "^~ /metrics/", "= /ready"):
        assert f"location {path} {{ return 404; }}" in nginx
