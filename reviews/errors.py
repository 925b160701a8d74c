"""The one error the improvement loop's services raise."""


class ReviewError(ValueError):
    """A change the rules refuse; `field` names what to correct (a form field or a JSON field)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
