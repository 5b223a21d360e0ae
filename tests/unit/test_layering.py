"""The layers' dependency direction (the shared style, §4), read from the source: each layer
imports only what it may, and storage keys are spelled in the adapters alone.

Why a test: a service that reaches for an adapter, or a route that reads `item["SK"]`, works
today and couples the layers for ever; nothing else would notice. Every module under
chalicelib/ is parsed (never imported), so a lazy import inside a function counts as much as
one at the top, and a module added tomorrow is checked without being listed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "chalicelib"

STORAGE_NAMES = frozenset(
    {"PK", "SK", "GSI1", "GSI1PK", "GSI1SK", "GSI2", "GSI2PK", "GSI2SK", "expires_at_epoch"}
)
"""The table's key, index and TTL attribute names (infra/table.json, adapters/keys.py)."""
STORAGE_WORD = re.compile(r"\b(?:PK|SK|GSI\d(?:PK|SK)?)\b")
"""A key attribute inside an expression, e.g. "attribute_not_exists(PK)"."""

AWS_SDK = ("boto3", "botocore", "mypy_boto3_dynamodb")
DOORS = ("chalicelib.api", "chalicelib.web", "chalicelib.doors")
"""The edge, one package per audience: api/ and web/, and doors/ as they move there."""

RULES: dict[str, tuple[str, ...]] = {
    "chalicelib.domain": (
        "chalicelib.adapters",
        "chalicelib.services",
        "chalicelib.streams",
        "chalicelib.bootstrap",
        "chalicelib.scheduled",
        *DOORS,
        "chalice",
        *AWS_SDK,
    ),
    "chalicelib.services": (
        "chalicelib.adapters",
        "chalicelib.streams",
        "chalicelib.bootstrap",
        "chalicelib.scheduled",
        *DOORS,
        "chalice",
        *AWS_SDK,
    ),
    # The exchange/v1 contract is read by services and doors alike: it stays below both.
    "chalicelib.exchange": (
        "chalicelib.adapters",
        "chalicelib.services",
        "chalicelib.streams",
        "chalicelib.bootstrap",
        *DOORS,
        "chalice",
        *AWS_SDK,
    ),
    **dict.fromkeys(DOORS, ("chalicelib.adapters", *AWS_SDK)),
    # The stream handlers call services; only stream_records reads images (an adapter's job).
    "chalicelib.streams.handlers": ("chalicelib.adapters", *AWS_SDK),
}
"""Module prefix → the module prefixes it must not import."""


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        yield name, path


def imports_of(name: str, tree: ast.AST, is_package: bool) -> Iterator[Import]:
    """Every import of the module, at any depth (lazy imports inside functions included);
    `from a import b` counts as importing `a` and `a.b` (b may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(name, node, is_package)
            yield Import(name, base, node.lineno)
            for alias in node.names:
                yield Import(name, f"{base}.{alias.name}", node.lineno)


def _absolute(name: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".")
    package = package if is_package else package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def layering_violations() -> list[str]:
    found = []
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for imported in imports_of(name, tree, path.name == "__init__.py"):
            for layer, forbidden in RULES.items():
                if not _within(name, layer):
                    continue
                for prefix in forbidden:
                    if _within(imported.imported, prefix):
                        where = f"{path.relative_to(ROOT)}:{imported.line}"
                        found.append(f"{where}: {layer} imports {prefix}")
    return sorted(set(found))


def storage_spellings() -> list[str]:
    """String constants outside chalicelib/adapters/ that name a key attribute: as a whole
    string ("SK" in item["SK"], {"PK": ...}, name in ("PK", "SK")) or as a word of an
    expression ("PK = :pk"). Docstrings are prose and may name them."""
    found = []
    for name, path in modules():
        if _within(name, "chalicelib.adapters"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in spelled(tree)]
    return found


def spelled(tree: ast.AST) -> list[tuple[int, str]]:
    """The (line, text) of each string constant that names a key attribute, in source order."""
    prose = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in prose:
            continue
        if node.value in STORAGE_NAMES or STORAGE_WORD.search(node.value):
            hits.append((node.lineno, node.value))
    return sorted(hits)


def _docstrings(tree: ast.AST) -> set[int]:
    prose = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:  # a string statement is a docstring or an attribute's
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    prose.add(id(statement.value))
    return prose


def test_domain_services_doors_and_stream_handlers_import_only_what_they_may():
    # Given every module of the package, parsed
    # When its imports (top-level and lazy) are matched against the layering rules
    violations = layering_violations()
    # Then none breaks a rule
    assert violations == []


def test_no_module_outside_the_adapters_spells_a_storage_key():
    # Given every module outside chalicelib/adapters/
    # When its string constants are read
    spellings = storage_spellings()
    # Then none is (or holds as a word) a key, index or TTL attribute name
    assert spellings == []


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("import boto3", "chalicelib.domain.x", ["boto3"]),
        ("def f():\n    from chalicelib.adapters import keys", "chalicelib.services.x", None),
        ("from ..adapters import keys", "chalicelib.services.x", None),
        ("from chalicelib import bootstrap", "chalicelib.services.x", None),
    ],
)
def test_the_import_reader_sees_lazy_relative_and_from_imports(source, module, expected):
    # Given a module body with one import of a forbidden kind
    tree = ast.parse(source)
    # When its imports are read
    seen = [i.imported for i in imports_of(module, tree, is_package=False)]
    # Then the forbidden module is among them
    if expected is not None:
        assert seen == expected
    else:
        assert any(
            _within(s, "chalicelib.adapters") or _within(s, "chalicelib.bootstrap") for s in seen
        )


def test_the_key_reader_catches_subscripts_dict_keys_and_expressions_but_not_prose():
    # Given a module that reads a key attribute three ways and names one in its docstring
    source = (
        '"""Reads PK and SK (prose)."""\n'
        'a = item["SK"]\n'
        'b = {"PK": 1}\n'
        'c = "attribute_not_exists(PK)"\n'
        'd = "SKU"\n'
    )
    tree = ast.parse(source)
    # When its string constants are matched
    hits = [text for _, text in spelled(tree)]
    # Then the three uses are caught, and neither the docstring nor a longer word is
    assert hits == ["SK", "PK", "attribute_not_exists(PK)"]


def test_no_unit_test_imports_moto_or_opens_a_socket():
    # Given every module of the unit tier
    unit = ROOT / "tests" / "unit"
    # When its imports are read
    offending = [
        f"{path.name}:{i.line} {i.imported}"
        for path in sorted(unit.glob("*.py"))
        for i in imports_of(path.stem, ast.parse(path.read_text(encoding="utf-8")), False)
        if any(_within(i.imported, m) for m in ("moto", "urllib.request", "http.client"))
    ]
    # Then none reaches for moto or an HTTP client (the conftest refuses sockets as well)
    assert offending == []


def test_the_unit_tier_refuses_sockets():
    # Given the unit tier's offline guard
    import socket

    # When a test tries to open a socket
    with pytest.raises(RuntimeError, match="open no sockets"):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
    # Then it is refused before anything is sent
