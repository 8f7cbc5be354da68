"""Stripe's form encoding, and the check that holds every request to the stripe library's own parameter
types: an unknown parameter, a missing required one, or a string longer than Stripe accepts is what Stripe
would refuse with a 400."""

import re
import sys
from typing import Any
from urllib.parse import parse_qsl

from stripe.params.checkout import _session_create_params as session_create_types


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`line_items[0][price_data][unit_amount]=100`) as nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        segments = _segments(key)
        node = root
        for segment in segments[:-1]:
            node = node.setdefault(segment, {})
        node[segments[-1]] = value
    return _listify(root)


def _segments(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return [head, *re.findall(r"([^\[\]]*)\]", "[" + rest)] if rest else [head]


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_listify(node[k]) for k in sorted(node, key=int)]
    return {k: _listify(v) for k, v in node.items()}


# Stripe's documented lengths for the strings the shop sends from what buyers type, kept here apart from the
# shop's own constants (checkout.stripe_limits) so that the fake checks them rather than repeats them.
CUSTOM_FIELD_LENGTHS = {"name": 40, "value": 140}
METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 40, 500
CUSTOMER_LENGTHS = {"name": 256, "email": 512}


def parameter_problems(body: str, params_type: type = session_create_types.SessionCreateParams) -> list[str]:
    """Unknown or missing parameters in a form body, judged by the stripe library's TypedDicts, and strings
    longer than Stripe takes."""
    pairs = parse_qsl(body, keep_blank_values=True)
    problems = [
        f"Received unknown parameter: {key}" for key, _ in pairs if not _known(params_type, _segments(key))
    ]
    problems += _missing(params_type, decode_form(body), "")
    problems += [problem for key, value in pairs if (problem := _too_long(params_type, key, value))]
    return problems


def _too_long(params_type: type, key: str, value: str) -> str:
    segments = _segments(key)
    limit = None
    if "custom_fields" in segments and segments[-1] in CUSTOM_FIELD_LENGTHS:
        limit = CUSTOM_FIELD_LENGTHS[segments[-1]]
    elif len(segments) > 1 and segments[-2] == "metadata":
        if len(segments[-1]) > METADATA_KEY_LENGTH:
            return f"Invalid {key}: metadata keys must be at most {METADATA_KEY_LENGTH} characters"
        limit = METADATA_VALUE_LENGTH
    elif params_type.__name__ == "CustomerCreateParams" and len(segments) == 1:
        limit = CUSTOMER_LENGTHS.get(segments[0])
    if limit is None or len(value) <= limit:
        return ""
    return f"Invalid string: {value[:20]}...; must be at most {limit} characters ({key})"


def _annotation_text(typed_dict: type, key: str) -> str | None:
    annotation = typed_dict.__annotations__.get(key)
    return None if annotation is None else repr(annotation)


def _nested_type(text: str, typed_dict: type) -> type | None:
    match = re.search(r"\b(\w+Params\w+)", text)
    return getattr(sys.modules[typed_dict.__module__], match.group(1), None) if match else None


def _known(typed_dict: type, segments: list[str]) -> bool:
    text = _annotation_text(typed_dict, segments[0])
    if text is None:
        return False
    rest = segments[1:]
    if rest and "List[" in text:
        if not rest[0].isdigit():
            return False
        rest = rest[1:]
    if not rest:
        return True
    if "Dict[" in text or "UntypedStripeObject" in text:
        return len(rest) == 1
    nested = _nested_type(text, typed_dict)
    return nested is not None and _known(nested, rest)


def _missing(typed_dict: type, values: Any, prefix: str) -> list[str]:
    if not isinstance(values, dict):
        return []
    problems = [
        f"Missing required param: {prefix}{key}" for key in typed_dict.__required_keys__ if key not in values
    ]
    for key, value in values.items():
        text = _annotation_text(typed_dict, key) or ""
        nested = _nested_type(text, typed_dict)
        if nested is None:
            continue
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{prefix}{key}[{index}]" if isinstance(value, list) else f"{prefix}{key}"
            problems += _missing(nested, item, f"{where}.")
    return problems
