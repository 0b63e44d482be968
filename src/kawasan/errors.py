"""The one exception hierarchy of kawasan.

Every error a user can cause derives from :class:`KawasanError`. The CLI maps
:class:`InputError` (and subclasses) to exit code 2, the web layer maps it to a
4xx answer with one JSON error shape. Each error names the file, field or value
involved and what was expected, so the message alone tells the user what to fix.
"""
from __future__ import annotations


class KawasanError(Exception):
    """Root of all kawasan errors."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.message = message
        self.source = source
        self.field = field
        super().__init__(self.__str__())

    def __reduce__(self):
        # pickled whole (a chunk's error raised on a Dask worker reaches the CLI with its file and field)
        return (_rebuild, (type(self), self.message, self.source, self.field))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = ": ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def text(self, lang: str = "en") -> str:
        """The error for people reading ``lang``: the file and field, then the message, in that language when
        the message carries its catalogue key (a :class:`kawasan.i18n.Message`; other messages stay English).
        The source and field labels read in the language too (:func:`label_text`)."""
        if lang == "en":
            return str(self)
        from kawasan.i18n import t, text_in

        where = [label_text(self.source, lang, source=True)] if self.source else []
        if self.field:
            where.append(t("error.field", lang, field=label_text(self.field, lang)))
        message = text_in(self.message, lang)
        return ": ".join([*where, message])

    def to_dict(self) -> dict:
        """The JSON error shape shared by the CLI (--json) and the web API."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "source": self.source,
            "field": self.field,
        }


class InputError(KawasanError):
    """Bad input from the user: a file, a field or a value that is not as expected."""

    exit_code = 2
    http_status = 422


class ModelError(InputError):
    """A model file (or preset) that does not validate."""


class RasterError(InputError):
    """A raster that is missing, unreadable, all-NoData or does not fit the study grid."""


class GridMismatchError(RasterError):
    """A layer on another CRS or grid while the model does not allow resampling."""


class VectorError(InputError):
    """A vector layer that is missing, unreadable, empty or outside the study area."""


class WeightsError(InputError):
    """Weights that are negative, all zero, or a pairwise matrix that is not valid."""


class InconsistentJudgementsError(WeightsError):
    """An AHP matrix whose consistency ratio exceeds 0.1 (allowed only on request)."""


class OutputError(KawasanError):
    """An output location that cannot be written without losing something stored."""

    exit_code = 2
    http_status = 409


class TableError(InputError):
    """An economic table (PDRB, HDI, population) with missing, negative or inconsistent values."""


class TemplateError(InputError):
    """A licensing workflow template that does not validate (cycle, unknown prerequisite, duplicate id, ...)."""


class NotFoundError(InputError):
    """A project, stage, template, agency or user that does not exist."""

    http_status = 404


class TransitionError(InputError):
    """A stage state change that the transition rules do not allow."""

    http_status = 409


class ConflictError(InputError):
    """A concurrent edit: the record changed since the caller read it (optimistic version check)."""

    http_status = 409


class PermissionDeniedError(InputError):
    """A user acting outside their role or agency."""

    http_status = 403


class AuthenticationError(PermissionDeniedError):
    """Not signed in, a wrong password, an expired session, a revoked token or a locked account."""

    http_status = 401


class StorageError(KawasanError):
    """The database is locked, unreachable or not migrated; nothing was changed."""

    exit_code = 1
    http_status = 503


#: English label shapes still written as plain text by some callers ("template apht", "layer zoning",
#: "row 3, column 2", "project 7"), read in the other language through the catalogue key ``err.label.<name>``
#: (new code passes ``Message("err.label.<name>", ...)`` itself). Anything else (a path, an identifier such as
#: a JSON field or an option) is shown as it is.
LABEL_SHAPES = (
    ("row_column", r"row (?P<row>\d+), column (?P<column>\d+)"),
    ("row", r"row (?P<row>\d+)"),
    ("layer", r"layer (?P<name>[\w.-]+)"),
    ("template_database", r"template (?P<name>\S+) \(database\)"),
    ("builtin_template", r"built-in template (?P<name>\S+)"),
    ("template", r"template (?P<name>\S+)"),
    ("project_template", r"project (?P<project>\d+) template (?P<name>\S+)"),
    ("project", r"project (?P<project>\d+)"),
    ("stage", r"stage (?P<stage>[\w.-]+)"),
)
#: Sources that name a kind of record or setting (a table of the licensing database, the environment, ...).
SOURCE_WORDS = ("agencies", "calendar", "documents", "environment", "jobs", "obstacles", "projects", "queue",
                "templates", "tokens", "users", "weights")


def label_text(value, lang: str, *, source: bool = False) -> str:
    """A source or field label in ``lang``: a :class:`~kawasan.i18n.Message` (or bilingual text) in that
    language; a plain label of one of the :data:`LABEL_SHAPES` (or, for a source, one of the
    :data:`SOURCE_WORDS`) through its catalogue key; anything else as it is."""
    import re

    from kawasan.i18n import Message, text_in

    if hasattr(value, "text") and isinstance(value, str):
        return text_in(value, lang)
    text = str(value)
    for name, shape in LABEL_SHAPES:
        m = re.fullmatch(shape, text)
        if m:
            return Message(f"err.label.{name}", **m.groupdict()).text(lang)
    if source and text in SOURCE_WORDS:
        return Message(f"err.label.word.{text}").text(lang)
    return text


def _rebuild(cls, message, source, field):
    """An error of class ``cls`` from its parts (the other side of ``KawasanError.__reduce__``)."""
    return cls(message, source=source, field=field)
