"""RFC 6902 JSON Patch on plan documents, with the work bounded before it is done.

A few bytes of `copy` operations can double a document each time (thirteen copies of
`/weeks` into `/weeks/-` took 578 MB). So each operation is charged, before it runs, the
size of what it adds (its `value`, or the subtree it copies), and the running size of the
document may never exceed `MAX_DOCUMENT_BYTES`: the first operation that would cross it is
refused and nothing is applied. Sizes are JSON-ish byte estimates, measured without
recursion and never past the remaining budget, so the check itself stays cheap. Removals
are not credited back: the bound is on work done, not only on the final size.
"""

from __future__ import annotations

from typing import Any

import jsonpatch
import jsonpointer

from plangov_app.services.errors import Conflict, InvalidInput

MAX_OPERATIONS = 500
MAX_DOCUMENT_BYTES = 4_000_000  # a full 52-week plan is about 0.6 MB
_CONTAINER_BYTES = 2
_SCALAR_BYTES = 8


def estimated_size(value: Any, cap: int) -> int:
    """About how many bytes `value` takes as JSON; stops counting once past `cap`."""
    total = 0
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            total += _CONTAINER_BYTES
            for key, child in node.items():
                total += len(str(key)) + 4
                pending.append(child)
        elif isinstance(node, list):
            total += _CONTAINER_BYTES
            pending.extend(node)
        elif isinstance(node, str):
            total += len(node) + 2
        else:
            total += _SCALAR_BYTES
        if total > cap:
            return total
    return total


def _label(index: int, operation: Any) -> str:
    label = f"operations[{index}]"
    if isinstance(operation, dict):
        label += f" ({operation.get('op')} {operation.get('path')})"
    return label


def _added_size(document: Any, operation: dict[str, Any], cap: int) -> int:
    """What `operation` adds to the document, counted up to `cap`."""
    kind = operation.get("op")
    if kind in ("add", "replace"):
        return estimated_size(operation.get("value"), cap)
    if kind == "copy":
        source = jsonpointer.resolve_pointer(document, str(operation.get("from", "")))
        return estimated_size(source, cap)
    return 0


def apply_operations(document: dict[str, Any], operations: list[dict[str, Any]]) -> Any:
    """Apply RFC 6902 operations in order; name the first one that fails or is too big."""
    if len(operations) > MAX_OPERATIONS:
        raise InvalidInput(f"operations: at most {MAX_OPERATIONS} per request.")
    size = estimated_size(document, MAX_DOCUMENT_BYTES)
    for index, operation in enumerate(operations):
        label = _label(index, operation)
        try:
            if isinstance(operation, dict):
                size += _added_size(document, operation, MAX_DOCUMENT_BYTES - size)
            if size > MAX_DOCUMENT_BYTES:
                raise InvalidInput(
                    f"{label}: the plan would grow past {MAX_DOCUMENT_BYTES // 1_000_000} MB; "
                    "nothing was applied.", operation=index)
            document = jsonpatch.JsonPatch([operation]).apply(document, in_place=True)
        except jsonpatch.JsonPatchTestFailed as error:
            raise Conflict(f"{label}: test failed: {error}", operation=index) from None
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError,
                KeyError, IndexError, ValueError, AttributeError, RecursionError) as error:
            raise InvalidInput(f"{label}: {error or type(error).__name__}",
                               operation=index) from None
    return document
