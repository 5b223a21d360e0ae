"""A piece of a CloudFormation template, and how pieces combine into one merge template.

Why: every builder returns its own Parameters, Conditions, Resources and Outputs; combining
them refuses a logical id defined twice (a silent overwrite would drop settings), while
overrides of Chalice's own resources (functions, roles, the API) merge key by key, as
`chalice package --merge-template` itself does.
"""

from __future__ import annotations

from typing import Any

SECTIONS = ("Parameters", "Conditions", "Resources", "Outputs")

Fragment = dict[str, dict[str, Any]]


def fragment(**sections: dict[str, Any]) -> Fragment:
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValueError(f"not a template section: {sorted(unknown)}")
    return {name: dict(body) for name, body in sections.items()}


def combine(fragments: list[Fragment]) -> dict[str, Any]:
    """One template from many fragments; new resources must be unique, overrides merge."""
    template: dict[str, Any] = {}
    for piece in fragments:
        for section, entries in piece.items():
            target = template.setdefault(section, {})
            for logical_id, body in entries.items():
                if logical_id not in target:
                    target[logical_id] = body
                elif _is_override(body) and _is_override(target[logical_id]):
                    target[logical_id] = deep_merge(target[logical_id], body)
                else:
                    raise ValueError(f"{section}.{logical_id} is defined twice")
    return {section: template[section] for section in SECTIONS if section in template}


def deep_merge(base: Any, extra: Any) -> Any:
    """Dicts merge key by key; anything else in `extra` replaces (Chalice's rule too)."""
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = deep_merge(base.get(key), value)
        return merged
    return extra


def override(properties: dict[str, Any]) -> dict[str, Any]:
    """A partial resource that changes properties of one Chalice already generates."""
    return {"Properties": properties}


def _is_override(body: Any) -> bool:
    return isinstance(body, dict) and set(body) == {"Properties"} and "Type" not in body


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def arn_below(logical_id: str, path: str) -> dict[str, str]:
    """An ARN under a resource's ARN, e.g. a table's indexes or a bucket's objects."""
    return sub("${" + logical_id + ".Arn}" + path)


def get_att(logical_id: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, attribute]}
