"""How requests are read before any view sees them: URL converters and form/query parsing."""

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

INT32_MAX = 2**31 - 1


class DatabaseInt(IntegerConverter):
    """`<int:...>` limited to what an INTEGER column holds: a huge number is a 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(url_map, *args, **kwargs)
        if not self.signed and not self.fixed_digits and self.max is not None and (self.min or 0) <= 1:
            # Out-of-range numbers must not even match: werkzeug checks the method before the range,
            # so PATCH /api/v1/tickets/0 was a 405 (the GET rule "matched") instead of a 404.
            self.regex = _naturals_up_to(self.max, zero=not self.min)


def _naturals_up_to(limit: int, *, zero: bool) -> str:
    """A regex for the numbers 1..limit (and 0 with `zero`) written without leading zeros."""
    digits = str(limit)
    choices = ["0"] if zero else []
    if len(digits) > 1:
        choices.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")  # the numbers with fewer digits
    for position, digit in enumerate(digits):  # as many digits: smaller at the first that differs
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            choices.append(f"{digits[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values without NUL characters, which PostgreSQL refuses to store or compare.

    Nobody types a NUL; it only arrives from fuzzers and broken clients, and dropping it keeps the rest.
    """

    def __init__(self, mapping=None):
        if mapping is not None and not isinstance(mapping, dict):
            mapping = [(_strip(key), _strip(value)) for key, value in mapping]
        super().__init__(mapping)


def _strip(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class AftercareRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def register(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInt
    app.request_class = AftercareRequest
