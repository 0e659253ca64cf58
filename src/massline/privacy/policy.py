"""Which operator applies to which personal data, per output and role.

One table, read by :func:`massline.privacy.mask_text`. The public never sees more than a
masked number; staff see masked data in their views (raw only through the audited
:func:`massline.privacy.reveal_raw`); analysts get keyed pseudonyms so they can count and
link without identifying; exports for roles allowed to contact citizens carry encrypted
values that :func:`massline.privacy.reveal` opens for them.
"""

from __future__ import annotations

from massline.core.errors import InputError

ROLES = ("administrator", "dispatcher", "handler", "analyst", "editor", "reviewer", "public")
OUTPUTS = ("public", "feed", "export", "staff")

#: Permissions over personal data per role.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset({"pii.raw_view", "pii.reveal"}),
    "dispatcher": frozenset({"pii.reveal"}),
    "handler": frozenset({"pii.reveal"}),
    "analyst": frozenset(),
    "editor": frozenset(),
    "reviewer": frozenset(),
    "public": frozenset(),
}

#: What the public sees: numbers masked (the owner still recognises ``138****8000``), names and
#: addresses replaced whole (``<姓名>``, ``<地址>``) — a surname plus a street is often enough to
#: identify a neighbour, and nobody needs to recognise their own name in a public listing.
PUBLIC: dict[str, str] = {"*": "mask", "PERSON": "replace", "ADDRESS": "replace"}

#: output → role ("*" = any other role, including None) → entity ("*" = any other) → operator.
POLICY: dict[str, dict[str, dict[str, str]]] = {
    "public": {"*": PUBLIC},
    "feed": {"*": PUBLIC},
    "export": {
        "administrator": {"*": "encrypt"},
        "dispatcher": {"*": "encrypt"},
        "handler": {"*": "encrypt"},
        "analyst": {"*": "hash"},
        "editor": {"*": "mask"},
        "reviewer": {"*": "mask"},
        "*": {"*": "replace"},
    },
    "staff": {
        "administrator": {"*": "mask"},
        "dispatcher": {"*": "mask"},
        "handler": {"*": "mask"},
        "analyst": {"*": "hash"},
        "editor": {"*": "mask"},
        "reviewer": {"*": "mask"},
        "*": {"*": "replace"},
    },
}


def operator_for(output: str, role: str | None, entity: str) -> str:
    """The operator for ``entity`` in ``output`` seen by ``role`` (clear error on unknown names)."""
    by_role = POLICY.get(output)
    if by_role is None:
        raise InputError(f"unknown output {output!r}; known: {', '.join(POLICY)}", field="output")
    if role is not None and role not in ROLE_PERMISSIONS:
        raise InputError(f"unknown role {role!r}; known: {', '.join(ROLES)}", field="role")
    table = by_role.get(role or "*", by_role["*"])
    return table.get(entity, table["*"])


def has_permission(role: str | None, permission: str) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())
