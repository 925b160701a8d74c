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
