"""The import rules of the code, read from the source with `ast` (every import counts,
also inside functions and under TYPE_CHECKING):

1. bot/ and actions/ (the Rasa runtime) never import feedback_api or channels.
2. feedback_api/ and channels/ (the service runtime) never import actions, bot, rasa
   or rasa_sdk.
3. persian_text/ and case_reference/ (shared by both runtimes) import neither runtime.
4. feedback_api/ imports channels only in feedback_api/main.py, the composition root, and
   channels.models in feedback_api/models.py (the gateway's tables share the service's
   database and migrations).
5. Domain modules (feedback_api/{cases,contacts,handoff,users,audit,safeguarding,
   taxonomy}/, their router.py excepted) never import a web module: console, dashboard,
   any */router.py, deps, app, main, api_docs, middleware. Web modules may import domains.
6. Core modules (db, settings, crypto, errors, business_calendar) import only core.
7. feedback_api/models.py (every table, for migrations) and feedback_api/messaging.py (the
   port to the gateway) import only core and models modules.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("feedback_api", "channels", "actions", "bot", "persian_text", "case_reference")
DOMAINS = ("cases", "contacts", "handoff", "users", "audit", "safeguarding", "taxonomy")
CORE = frozenset(
    f"feedback_api.{name}" for name in ("db", "settings", "crypto", "errors", "business_calendar")
)
WEB = frozenset(
    f"feedback_api.{name}" for name in ("deps", "app", "main", "api_docs", "middleware")
)
RASA_RUNTIME = ("actions", "bot", "rasa", "rasa_sdk")


def _under(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(f"{p}.") for p in packages)


def _is_web(module: str) -> bool:
    return _under(module, "feedback_api.console", "feedback_api.dashboard", *WEB) or (
        _under(module, "feedback_api") and "router" in module.split(".")[1:]
    )


def _is_domain(module: str) -> bool:
    return _under(module, *(f"feedback_api.{d}" for d in DOMAINS)) and not _is_web(module)


def _is_domain_models(module: str) -> bool:
    return _under(module, *(f"feedback_api.{d}.models" for d in DOMAINS))


@dataclass(frozen=True)
class Rule:
    says: str
    applies: Callable[[str], bool]  # to the importing module
    forbids: Callable[[str], bool]  # the imported module


RULES = (
    Rule(
        "the Rasa runtime never imports the service",
        lambda m: _under(m, "bot", "actions"),
        lambda i: _under(i, "feedback_api", "channels"),
    ),
    Rule(
        "the service never imports the Rasa runtime",
        lambda m: _under(m, "feedback_api", "channels"),
        lambda i: _under(i, *RASA_RUNTIME),
    ),
    Rule(
        "shared code imports neither runtime",
        lambda m: _under(m, "persian_text", "case_reference"),
        lambda i: _under(i, "feedback_api", "channels", *RASA_RUNTIME),
    ),
    Rule(
        "feedback_api imports channels only in main.py (the composition root)",
        lambda m: (
            _under(m, "feedback_api") and m not in ("feedback_api.main", "feedback_api.models")
        ),
        lambda i: _under(i, "channels"),
    ),
    Rule(
        "the table registry imports only the gateway's tables of channels",
        lambda m: m == "feedback_api.models",
        lambda i: _under(i, "channels") and not _under(i, "channels.models"),
    ),
    Rule(
        "a domain never imports a web module",
        _is_domain,
        _is_web,
    ),
    Rule(
        "core imports only core",
        lambda m: m in CORE,
        lambda i: _under(i, "feedback_api") and not _under(i, *CORE),
    ),
    Rule(
        "the table registry and the messaging port import only core and models",
        lambda m: m in ("feedback_api.models", "feedback_api.messaging"),
        lambda i: _under(i, "feedback_api") and not (_under(i, *CORE) or _is_domain_models(i)),
    ),
)


def _module_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(module: str, path: Path, tree: ast.AST) -> Iterator[tuple[int, str]]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the package, `level - 1` steps up
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a.b import c` is a.b.c (c may be a module or a name: rules match prefixes)
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base


def violations(root: Path) -> list[str]:
    """Every import in `root` that breaks a rule, as "file:line imports module (rule)"."""
    found = []
    for top in CHECKED:
        for path in sorted((root / top).rglob("*.py")):
            module = _module_of(root, path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, imported in _imports(module, path, tree):
                for rule in RULES:
                    if rule.applies(module) and rule.forbids(imported):
                        where = path.relative_to(root)
                        found.append(f"{where}:{line} imports {imported} ({rule.says})")
    return found


def test_the_code_keeps_its_import_rules() -> None:
    broken = violations(ROOT)
    assert not broken, "imports against the rules (see this test's docstring):\n" + "\n".join(
        broken
    )


def test_the_checker_finds_each_kind_of_violation(tmp_path: Path) -> None:
    files = {
        "actions/filing.py": "import feedback_api.db\n",
        "channels/worker.py": "from rasa_sdk import Action\n",
        "persian_text/digits.py": "from channels import render\n",
        "feedback_api/app.py": "from channels.gateway import ChannelGateway\n",
        "feedback_api/main.py": "from channels.gateway import ChannelGateway\n",
        "feedback_api/cases/service.py": "def f():\n    from ..console import service\n",
        "feedback_api/cases/router.py": "from feedback_api.deps import SessionDep\n",
        "feedback_api/handoff/service.py": "from feedback_api.contacts.router import X\n",
        "feedback_api/db.py": "from feedback_api.cases.models import Case\n",
        "feedback_api/models.py": "import channels.models\nfrom channels import outbox\n",
        "feedback_api/messaging.py": "from feedback_api.cases import service\n",
    }
    for name, source in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(source, encoding="utf-8")
    assert violations(tmp_path) == [
        "feedback_api/app.py:1 imports channels.gateway.ChannelGateway "
        "(feedback_api imports channels only in main.py (the composition root))",
        "feedback_api/cases/service.py:2 imports feedback_api.console.service "
        "(a domain never imports a web module)",
        "feedback_api/db.py:1 imports feedback_api.cases.models.Case (core imports only core)",
        "feedback_api/handoff/service.py:1 imports feedback_api.contacts.router.X "
        "(a domain never imports a web module)",
        "feedback_api/messaging.py:1 imports feedback_api.cases.service "
        "(the table registry and the messaging port import only core and models)",
        "feedback_api/models.py:2 imports channels.outbox "
        "(the table registry imports only the gateway's tables of channels)",
        "channels/worker.py:1 imports rasa_sdk.Action (the service never imports the Rasa runtime)",
        "actions/filing.py:1 imports feedback_api.db (the Rasa runtime never imports the service)",
        "persian_text/digits.py:1 imports channels.render (shared code imports neither runtime)",
    ]
