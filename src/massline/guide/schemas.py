"""JSON Schemas of the command outputs (``massline guide hot|bursts --format json``): the contract the tests check."""

from __future__ import annotations

from typing import Any

_ISO = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$"}
_IDS = {"type": "array", "items": {"type": "integer"}}
_EXT = {"type": "array", "items": {"type": ["string", "null"]}}

HOT_ISSUES: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["rank", "issue_id", "heat", "label", "start", "end", "places", "people", "message_ids",
                     "external_ids", "likes", "dislikes", "users", "heat_parts"],
        "additionalProperties": False,
        "properties": {
            "rank": {"type": "integer", "minimum": 1},
            "issue_id": {"type": "string", "minLength": 1},
            "heat": {"type": "number", "minimum": 0},
            "heat_parts": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0},
                           "required": ["volume", "people", "growth", "reactions", "duration", "spread"]},
            "label": {"type": "string", "minLength": 1},
            "start": _ISO, "end": _ISO,
            "places": {"type": "array", "items": {"type": "string"}},
            "people": {"type": "array", "items": {"type": "string"}},
            "message_ids": {**_IDS, "minItems": 1}, "external_ids": _EXT,
            "likes": {"type": "integer", "minimum": 0}, "dislikes": {"type": "integer", "minimum": 0},
            "users": {"type": "integer", "minimum": 1},
        },
    },
}

ALERTS: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["alert_id", "label", "start", "detected_at", "message_ids", "external_ids", "score", "expected",
                     "observed", "reasons"],
        "additionalProperties": False,
        "properties": {
            "alert_id": {"type": "string", "minLength": 1},
            "label": {"type": "string", "minLength": 1},
            "start": _ISO, "detected_at": _ISO,
            "message_ids": {**_IDS, "minItems": 1}, "external_ids": _EXT,
            "score": {"type": "number", "minimum": 0},
            "expected": {"type": "number", "minimum": 0},
            "observed": {"type": "integer", "minimum": 1},
            "reasons": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        },
    },
}
