"""docs/architecture.md stays true: its URL map names every named address of the site (outside the admin) and
nothing else, and its picture of the apps allows every import that one app makes of another."""

import ast
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

DOC = Path(settings.BASE_DIR) / "docs" / "architecture.md"
# config is the infrastructure every app may use (the Celery helpers, the cache); the picture says so in words.
INFRASTRUCTURE = "config"


def section(heading: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def url_names(patterns, namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def documented_url_names() -> set[str]:
    """The backticked names in the first column of the URL map's tables."""
    names = set()
    for line in section("URL map").splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([^`]+)`", first_cell))
    return names


def test_the_url_map_names_every_address_of_the_site():
    site = set(url_names(get_resolver().url_patterns))
    documented = documented_url_names()
    assert site - documented == set(), "named URLs missing from the URL map of docs/architecture.md"
    assert documented - site == set(), "names in the URL map of docs/architecture.md that the site does not have"


def picture_edges() -> dict[str, set[str]]:
    """The arrows of the mermaid picture (`a --> b`, or dotted `a -. "why" .-> b`): a may import b."""
    block = re.search(r"```mermaid\n(.*?)```", section("The apps and their dependencies"), re.S).group(1)
    edges: dict[str, set[str]] = {}
    for source, target in re.findall(r"^\s*(\w+)\s+(?:-->|-\..*?\.->)\s+(\w+)\s*$", block, re.M):
        edges.setdefault(source, set()).add(target)
    return edges


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in edges.get(todo.pop(), set()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_every_import_between_apps_follows_an_arrow_of_the_picture():
    edges = picture_edges()
    nodes = set(edges) | {target for targets in edges.values() for target in targets}
    base = Path(settings.BASE_DIR)
    local = {config.name for config in apps.get_app_configs() if Path(config.path).parent == base}
    assert local - nodes == set(), "apps missing from the picture of docs/architecture.md"
    packages = local | {INFRASTRUCTURE}
    wrong = []
    for package in sorted(packages):
        allowed = reachable(edges, package) | {package, INFRASTRUCTURE}
        for path in sorted((base / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                elif isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in packages and top not in allowed:
                        wrong.append(f"{path.relative_to(base)}:{node.lineno} imports {module}")
    assert wrong == []
