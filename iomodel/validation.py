r"""One validation layer for the documents iomodel reads: scenario, allocation and CGE policy files.

A document (a TOML file, TOML text or a parsed dictionary) is checked against
a *schema* before any of iomodel's frozen dataclasses is built from it. A
schema is a pydantic model derived from :class:`Document` (strict types, no
unknown keys); the schemas live beside the dataclasses they feed
(``ScenarioDocument`` in :mod:`iomodel.scenarios`, ``AllocationDocument`` in
:mod:`iomodel.optimize.allocation`, ``PolicyDocument`` in
:mod:`iomodel.cge.policy`), and this module holds what they share:

* reading (:func:`read_document`): a missing file, a folder, a binary file,
  text that is not UTF-8 and TOML syntax errors raise
  :class:`DocumentReadError`;
* value types, used as ``Annotated`` metadata: :class:`Number` (a finite
  number in a range, never a string such as ``"high"``, never NaN or an
  infinity), :class:`Whole` (a whole number in a range; :data:`YEAR`),
  :class:`YearKey`, :class:`YearRange` (``[first, last]``), :class:`Limit`
  (``[low, high]``, ``"none"`` for no bound), :class:`IsoDate`,
  :class:`Text`, :class:`OneOf` (a known name), :class:`Total` (a table's
  sum), :class:`Tables` (an array of tables, ``[[name]]``); the aliases
  :data:`Share`, :data:`Amount` and :data:`Year`;
* checking (:func:`validate_document`): every problem of a document is
  collected and raised at once as one :class:`DocumentError`, an
  :class:`iomodel.errors.ValidationError` (or :class:`DocumentLabelError`, also
  an :class:`iomodel.errors.LabelError`, when a key or label is unknown).
  pydantic's own ``ValidationError`` never reaches the caller.

The dataclasses keep their own checks for objects built in Python, with the
same ranges (the years of every dataclass, the allocation problem and its
candidates through the ``check`` methods of these types), so a file and a
Python call refuse the same values, NaN and infinities included.

**Messages.** One line per problem: the source (the file as given, or
``"scenario TOML"`` for text), the place in the document and what was
expected::

    petro.toml: [[investments]] 1, field 'land_tax': expected a finite number >= 0, got nan

The place is written as in the TOML file: ``field 'mpc'`` for a key at the
top level, ``[package], field 'additionality'`` inside a table,
``[[investments]] 2, [investments.capex], field '2026'`` inside the second
table of an array of tables (arrays of tables and array items are numbered
from 1, in the order of the file). A problem of a whole table names the table
only (``[[investments]] 1: unknown field(s) ...``). Several problems give a
first line with their number and then one line each; at most
:data:`MAX_PROBLEMS` are listed.

Examples
--------
A small schema, and a document with three problems:

>>> from typing import Annotated
>>> class Plant(Document):
...     name: str
...     share: Share = 0.5
>>> class Study(Document):
...     plants: Annotated[list[Plant], Tables(min_items=1)]
...     mpc: Annotated[float, Number(0.0, 1.0, low_open=True)] = 0.8
>>> data, source = read_document('mpc = "high"\n[[plants]]\nshare = nan\n', "study")
>>> validate_document(Study, data, source)
Traceback (most recent call last):
    ...
iomodel.validation.DocumentError: study TOML: 3 problems:
study TOML: field 'mpc': expected a number in (0, 1], got 'high'
study TOML: [[plants]] 1, field 'name': required but missing
study TOML: [[plants]] 1, field 'share': expected a number in [0, 1], got nan

An unknown key is a label problem (the valid keys are listed):

>>> validate_document(Study, {"plants": [{"name": "a", "shares": 0.2}]}, "study.toml")
Traceback (most recent call last):
    ...
iomodel.validation.DocumentLabelError: study.toml: [[plants]] 1: unknown field(s) ['shares'];
valid options are ['name', 'share']
>>> validate_document(Study, {"plants": [{"name": "a"}]}, "study.toml").plants[0].share
0.5

The same types check values given in Python:

>>> Number(0.0).check(float("inf"), "plant 'a' land_tax")
Traceback (most recent call last):
    ...
iomodel.errors.ValidationError: plant 'a' land_tax: expected a finite number >= 0, got inf
"""

# Without ``from __future__ import annotations``: a schema defined in a doctest (or any namespace
# other than a module's) then gets its annotations evaluated at once, as pydantic needs them.
import datetime as _dt
import math
import numbers
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, Self, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, ModelWrapValidatorHandler, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema
from pydantic_core.core_schema import ErrorType

from .errors import IOModelError, LabelError, ReadError, ValidationError

__all__ = [
    "MAX_PROBLEMS",
    "YEAR",
    "Amount",
    "Document",
    "DocumentError",
    "DocumentLabelError",
    "DocumentReadError",
    "IsoDate",
    "Limit",
    "Number",
    "OneOf",
    "Problem",
    "Share",
    "Tables",
    "Text",
    "Total",
    "Whole",
    "Year",
    "YearKey",
    "YearRange",
    "errors_in",
    "given",
    "invalid",
    "is_toml_file",
    "locate",
    "read_document",
    "shown",
    "validate_document",
]

#: Most problems one error lists (the rest are counted).
MAX_PROBLEMS = 20

D = TypeVar("D", bound="Document")

# error types of the problems this module's types raise inside pydantic
_FIELD, _TABLE, _LABEL, _UNKNOWN, _TABLES = (
    "iomodel",
    "iomodel_table",
    "iomodel_label",
    "iomodel_unknown",
    "iomodel_tables",
)
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# --------------------------------------------------------------------------- problems and errors
def shown(value: object) -> str:
    """A value as a message shows it: TOML's spelling for booleans and dates, a table or array by kind.

    Examples
    --------
    >>> shown("high"), shown(float("nan")), shown(True), shown({"a": 1}), shown([2026])
    ("'high'", 'nan', 'true', 'a table', '[2026]')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "a table" if value else "an empty table"
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = repr(value)
    if isinstance(value, list | tuple) and len(text) > 60:
        return f"an array of {len(value)} items"
    return text if len(text) <= 60 else text[:57] + "..."


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else '"' + name.replace('"', '\\"') + '"'


def locate(path: Sequence[str | int], *, table: bool = False) -> str:
    """The place of a key in a TOML document, as messages write it.

    Parameters
    ----------
    path
        Keys and (0-based) array positions from the top of the document.
    table
        The path names a table (a problem of the table as a whole), not a field.

    Examples
    --------
    >>> locate(("mpc",))
    "field 'mpc'"
    >>> locate(("investments", 0, "capex", "2026"))
    "[[investments]] 1, [investments.capex], field '2026'"
    >>> locate(("cluster_limits", "petrochemical", 1))
    "[cluster_limits], field 'petrochemical', item 2"
    >>> locate(("investments", 1), table=True)
    '[[investments]] 2'
    """
    parts = list(path)
    field: str | None = None
    items: list[int] = []
    if not table:
        while parts and isinstance(parts[-1], int):
            items.insert(0, int(parts.pop()))
        if parts:
            field = str(parts.pop())
    pieces: list[str] = []
    names: list[str] = []
    pending = False  # names added since the last array of tables
    for i, p in enumerate(parts):
        if isinstance(p, int):
            if names:
                pieces.append(f"[[{'.'.join(_key(n) for n in names)}]] {p + 1}")
            else:
                pieces.append(f"item {p + 1}")
            pending = False
        else:
            names.append(str(p))
            pending = not (i + 1 < len(parts) and isinstance(parts[i + 1], int))
    if pending:
        pieces.append(f"[{'.'.join(_key(n) for n in names)}]")
    if field is not None:
        pieces.append(f"field '{field}'")
    pieces.extend(f"item {i + 1}" for i in items)
    return ", ".join(pieces)


@dataclass(frozen=True)
class Problem:
    """One problem of a document: where it is and what was expected.

    Attributes
    ----------
    path
        Keys and (0-based) array positions from the top of the document
        (``()``: the document as a whole).
    message
        What was expected and what was found.
    table
        ``path`` names a table (the problem is one of the whole table).
    label
        An unknown key or label (raised as :class:`DocumentLabelError`).
    """

    path: tuple[str | int, ...]
    message: str
    table: bool = False
    label: bool = False

    @property
    def location(self) -> str:
        """The place, as :func:`locate` writes it."""
        return locate(self.path, table=self.table)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


def _message(source: str, problems: Sequence[Problem]) -> str:
    if len(problems) == 1:
        return f"{source}: {problems[0]}"
    lines = [f"{source}: {len(problems)} problems:"]
    lines += [f"{source}: {p}" for p in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"{source}: ... and {len(problems) - MAX_PROBLEMS} more")
    return "\n".join(lines)


class DocumentError(ValidationError):
    """A document (a scenario, allocation or policy file or text) has problems.

    Parameters
    ----------
    source
        The file as given, or a name for text (``"scenario TOML"``).
    problems
        Every problem found (:class:`Problem`).
    message
        The message, if not the one built from the problems.

    Attributes
    ----------
    source, problems
        As given (``problems`` a tuple).
    """

    def __init__(self, source: str, problems: Iterable[Problem], message: str | None = None) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(message if message is not None else _message(source, self.problems))

    def __reduce__(self) -> tuple[Any, ...]:  # pickle with the problems (e.g. across processes)
        return (type(self), (self.source, self.problems, str(self)))


class DocumentLabelError(DocumentError, LabelError):
    """A document names a key its format does not know, or a label (a tax, zone, cluster) that is unknown.

    Also a :class:`~iomodel.errors.LabelError`, as unknown fields were before
    this layer; its problems may include others besides the labels.
    """


class DocumentReadError(DocumentError, ReadError):
    """A document cannot be read: no such file, a folder, a binary file, not UTF-8, not TOML."""


def _error(source: str, problems: Sequence[Problem]) -> DocumentError:
    cls = DocumentLabelError if any(p.label for p in problems) else DocumentError
    return cls(source, problems)


def invalid(problems: Iterable[Problem]) -> NoReturn:
    """Raise problems found by a schema's own validator (inside pydantic, with their paths relative to it).

    Examples
    --------
    >>> class Pair(Document):
    ...     low: float
    ...     high: float
    ...     @model_validator(mode="after")
    ...     def _order(self) -> Self:
    ...         if self.low > self.high:
    ...             invalid([Problem(("high",), f"expected at least low = {self.low}, got {self.high}")])
    ...         return self
    >>> validate_document(Pair, {"low": 2.0, "high": 1.0}, "pair.toml")
    Traceback (most recent call last):
        ...
    iomodel.validation.DocumentError: pair.toml: field 'high': expected at least low = 2.0, got 1.0
    """
    details: list[InitErrorDetails] = []
    for p in problems:
        kind = (_UNKNOWN if p.label else _TABLE) if p.table else (_LABEL if p.label else _FIELD)
        details.append({"type": PydanticCustomError(kind, p.message), "loc": p.path, "input": None})
    raise PydanticValidationError.from_exception_data("document", details)


def _problem(e: Mapping[str, Any]) -> Problem:
    """A pydantic error as a :class:`Problem` with iomodel's wording."""
    loc = tuple(x for x in e["loc"] if x != "[key]")
    kind, msg, got = e["type"], str(e["msg"]), shown(e.get("input"))
    if kind == _FIELD:
        return Problem(loc, msg)
    if kind == _TABLE:
        return Problem(loc, msg, table=True)
    if kind == _LABEL:
        return Problem(loc, msg, label=True)
    if kind == _UNKNOWN:
        return Problem(loc, msg, table=True, label=True)
    if kind == _TABLES:
        return Problem(loc, msg.replace("{name}", ".".join(_key(str(x)) for x in loc if isinstance(x, str))))
    ctx = e.get("ctx") or {}
    expected = {
        "string_type": "a string",
        "bool_type": "true or false",
        "int_type": "a whole number",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "list_type": "an array",
        "tuple_type": "an array",
        "dict_type": "a table",
        "model_type": "a table",
        "model_attributes_type": "a table",
    }
    if kind == "missing":
        return Problem(loc, "required but missing")
    if kind == "extra_forbidden":
        return Problem(loc, "unknown field", label=True)
    if kind in expected:
        return Problem(loc, f"expected {expected[kind]}, got {got}")
    if kind == "literal_error":
        return Problem(loc, f"expected {ctx.get('expected', 'one of the valid options')}, got {got}")
    if kind == "too_short":
        return Problem(loc, f"expected at least {ctx.get('min_length')} item(s), got {ctx.get('actual_length')}")
    return Problem(loc, f"{msg}, got {got}")


def _detail(e: Mapping[str, Any]) -> InitErrorDetails:
    """A pydantic error as it can be raised again."""
    if e["type"] in _PYDANTIC_TYPES:
        d: InitErrorDetails = {"type": e["type"], "loc": tuple(e["loc"]), "input": e.get("input")}
        if "ctx" in e:
            d["ctx"] = e["ctx"]
        return d
    return {"type": PydanticCustomError(e["type"], str(e["msg"])), "loc": tuple(e["loc"]), "input": e.get("input")}


class Document(BaseModel):
    """Base of every schema: strict types, unknown keys refused (listed with the valid ones), frozen.

    A subclass declares the keys of one table of a document; nested tables are
    fields typed with other subclasses, arrays of tables
    ``Annotated[list[Sub], Tables()]``.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @model_validator(mode="wrap")
    @classmethod
    def _unknown_keys(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        """One problem per table for its unknown keys, listing the valid ones (instead of one per key)."""
        try:
            return handler(data)
        except PydanticValidationError as exc:
            errors = exc.errors()
            extra = [e for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1]
            if not extra:
                raise
            keys = [str(e["loc"][0]) for e in extra]
            message = f"unknown field(s) {keys}; valid options are {sorted(cls.model_fields)}"
            details: list[InitErrorDetails] = [
                {"type": PydanticCustomError(_UNKNOWN, message), "loc": (), "input": data}
            ]
            details += [_detail(e) for e in errors if not (e["type"] == "extra_forbidden" and len(e["loc"]) == 1)]
            raise PydanticValidationError.from_exception_data(exc.title, details) from None


# --------------------------------------------------------------------------- value types
def _plain(check: Callable[[Any], Any]) -> core_schema.CoreSchema:
    return core_schema.no_info_plain_validator_function(check)


def _fail(message: str) -> NoReturn:
    raise PydanticCustomError(_FIELD, message)


def _bound(x: float) -> str:
    return f"{x:g}"


@dataclass(frozen=True)
class Number:
    """A finite number in a range: an integer or a float, never a string, a boolean, NaN or an infinity.

    Parameters
    ----------
    low, high
        Bounds (``None``: none on that side).
    low_open, high_open
        Exclude the bound itself.

    Examples
    --------
    >>> Number(0.0, 1.0, low_open=True).describe(), Number(0.0).describe(), Number().describe()
    ('a number in (0, 1]', 'a finite number >= 0', 'a finite number')
    >>> Number(0.0, 1.0).fault("high"), Number(0.0, 1.0).fault(0.5)
    ("expected a number in [0, 1], got 'high'", None)
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def describe(self) -> str:
        """What is expected, in words."""
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            return (
                f"a number in {'(' if self.low_open else '['}{_bound(lo)}, {_bound(hi)}{')' if self.high_open else ']'}"
            )
        if lo is not None:
            return f"a finite number {'>' if self.low_open else '>='} {_bound(lo)}"
        if hi is not None:
            return f"a finite number {'<' if self.high_open else '<='} {_bound(hi)}"
        return "a finite number"

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` (``None``: nothing)."""
        expected = f"expected {self.describe()}, got {shown(value)}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return expected
        try:
            x = float(value)
        except OverflowError:
            return f"expected {self.describe()}, got a number too large for a float"
        if not math.isfinite(x):
            return expected
        lo, hi = self.low, self.high
        if lo is not None and (x < lo or (self.low_open and x == lo)):
            return expected
        if hi is not None and (x > hi or (self.high_open and x == hi)):
            return expected
        return None

    def check(self, value: object, what: str) -> float:
        """``value`` as a float, or an :class:`~iomodel.errors.ValidationError` ``"{what}: expected ..., got ..."``."""
        fault = self.fault(value)
        if fault is not None:
            raise ValidationError(f"{what}: {fault}")
        return float(value)  # type: ignore[arg-type]

    def _validate(self, value: Any) -> float:
        fault = self.fault(value)
        if fault is not None:
            _fail(fault)
        return float(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class Whole:
    """A whole number (an integer, not a float or a boolean) in a range.

    Examples
    --------
    >>> Whole(1).describe(), YEAR.describe()
    ('a whole number >= 1', 'a year from 1000 to 9999')
    >>> YEAR.check(2026.5, "scenario 'x' years")
    Traceback (most recent call last):
        ...
    iomodel.errors.ValidationError: scenario 'x' years: expected a year from 1000 to 9999, got 2026.5
    """

    low: int | None = None
    high: int | None = None
    noun: str = "a whole number"

    def describe(self) -> str:
        """What is expected, in words."""
        if self.low is not None and self.high is not None:
            return f"{self.noun} from {self.low} to {self.high}"
        if self.low is not None:
            return f"{self.noun} >= {self.low}"
        if self.high is not None:
            return f"{self.noun} <= {self.high}"
        return self.noun

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` (``None``: nothing)."""
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            return f"expected {self.describe()}, got {shown(value)}"
        n = int(value)
        if (self.low is not None and n < self.low) or (self.high is not None and n > self.high):
            return f"expected {self.describe()}, got {shown(value)}"
        return None

    def check(self, value: object, what: str) -> int:
        """``value`` as an int, or an :class:`~iomodel.errors.ValidationError` naming ``what``."""
        fault = self.fault(value)
        if fault is not None:
            raise ValidationError(f"{what}: {fault}")
        return int(value)  # type: ignore[call-overload]

    def _validate(self, value: Any) -> int:
        fault = self.fault(value)
        if fault is not None:
            _fail(fault)
        return int(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


#: A calendar year as iomodel's files write it (four digits, as ISO dates need).
YEAR = Whole(1000, 9999, noun="a year")


@dataclass(frozen=True)
class YearKey:
    """A year as the key of a table (``2026 = 35000.0``: TOML keys are text), or an integer from Python.

    Examples
    --------
    >>> YearKey().to_year("2026"), YearKey().fault("20x")
    (2026, "expected a year from 1000 to 9999 as key, got '20x'")
    """

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` as a year key (``None``: nothing)."""
        expected = f"expected {YEAR.describe()} as key, got {shown(value)}"
        if isinstance(value, str):
            text = value.strip()
            return None if text.isdigit() and text.isascii() and YEAR.fault(int(text)) is None else expected
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return None if YEAR.fault(value) is None else expected

    def to_year(self, value: object) -> int:
        """The year of a valid key."""
        return int(value.strip()) if isinstance(value, str) else int(value)  # type: ignore[call-overload]

    def check(self, value: object, what: str) -> int:
        """The year, or an :class:`~iomodel.errors.ValidationError` naming ``what``."""
        fault = self.fault(value)
        if fault is not None:
            raise ValidationError(f"{what}: {fault}")
        return self.to_year(value)

    def _validate(self, value: Any) -> int:
        fault = self.fault(value)
        if fault is not None:
            _fail(fault)
        return self.to_year(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class YearRange:
    """``[first, last]``: two years, ``first <= last`` (an array in TOML, a list or tuple in Python).

    Examples
    --------
    >>> YearRange().fault([2026])
    'expected [first, last], two years from 1000 to 9999 with first <= last, got [2026]'
    """

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` (``None``: nothing)."""
        expected = (
            f"expected [first, last], two years from {YEAR.low} to {YEAR.high} with first <= last, got {shown(value)}"
        )
        if not isinstance(value, list | tuple) or len(value) != 2 or any(YEAR.fault(v) is not None for v in value):
            return expected
        return None if value[0] <= value[1] else expected

    def check(self, value: object, what: str) -> tuple[int, int]:
        """``(first, last)``, or an :class:`~iomodel.errors.ValidationError` naming ``what``."""
        fault = self.fault(value)
        if fault is not None:
            raise ValidationError(f"{what}: {fault}")
        return (int(value[0]), int(value[1]))  # type: ignore[index]

    def _validate(self, value: Any) -> tuple[int, int]:
        fault = self.fault(value)
        if fault is not None:
            _fail(fault)
        return (int(value[0]), int(value[1]))

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class Limit:
    """``[low, high]``: two finite numbers, ``"none"`` (or ``None`` in Python) for a missing bound, ``low <= high``.

    Examples
    --------
    >>> Limit().check([50000.0, "none"], "petrochemical")
    (50000.0, None)
    >>> Limit().check([50000.0], "petrochemical")
    Traceback (most recent call last):
        ...
    iomodel.errors.ValidationError: petrochemical: expected [low, high], two finite numbers or "none"
    with low <= high, got [50000.0]
    """

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` (``None``: nothing)."""
        expected = f'expected [low, high], two finite numbers or "none" with low <= high, got {shown(value)}'
        if not isinstance(value, list | tuple) or len(value) != 2:
            return expected
        if any(not (v is None or v == "none" or Number().fault(v) is None) for v in value):
            return expected
        lo, hi = self._pair(value)
        return expected if lo is not None and hi is not None and lo > hi else None

    @staticmethod
    def _pair(value: Any) -> tuple[float | None, float | None]:
        lo, hi = (None if v is None or v == "none" else float(v) for v in value)
        return lo, hi

    def check(self, value: object, what: str) -> tuple[float | None, float | None]:
        """``(low, high)`` with ``None`` for a missing bound, or an :class:`~iomodel.errors.ValidationError`."""
        fault = self.fault(value)
        if fault is not None:
            raise ValidationError(f"{what}: {fault}")
        return self._pair(value)

    def _validate(self, value: Any) -> tuple[float | None, float | None]:
        fault = self.fault(value)
        if fault is not None:
            _fail(fault)
        return self._pair(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class IsoDate:
    """A date: ISO text ``"2026-01-01"`` or a TOML date ``2026-01-01``, kept as ISO text.

    Examples
    --------
    >>> import datetime
    >>> IsoDate().check(datetime.date(2026, 1, 1), "tax_vintage")
    '2026-01-01'
    """

    def _date(self, value: object) -> str | None:
        if isinstance(value, _dt.datetime):
            return None
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value).isoformat()
            except ValueError:
                return None
        return None

    def check(self, value: object, what: str) -> str:
        """The date as ISO text, or an :class:`~iomodel.errors.ValidationError` naming ``what``."""
        d = self._date(value)
        if d is None:
            raise ValidationError(f"{what}: expected an ISO date (YYYY-MM-DD), got {shown(value)}")
        return d

    def _validate(self, value: Any) -> str:
        d = self._date(value)
        if d is None:
            _fail(f"expected an ISO date (YYYY-MM-DD), got {shown(value)}")
        return d

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class Text:
    """A string; with ``nonempty``, one with more than blanks."""

    nonempty: bool = False

    def _validate(self, value: Any) -> str:
        if not isinstance(value, str) or (self.nonempty and not value.strip()):
            _fail(f"expected a {'non-empty ' if self.nonempty else ''}string, got {shown(value)}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class OneOf:
    """A name from a fixed list (a key or a value); another is an unknown label, listed with the valid ones.

    Examples
    --------
    >>> OneOf(("CIT", "VAT"), noun="tax").fault("PIT")
    "unknown tax 'PIT'; valid options are ['CIT', 'VAT']"
    """

    options: tuple[str, ...]
    noun: str = "name"

    def fault(self, value: object) -> str | None:
        """What is wrong with ``value`` (``None``: nothing)."""
        if not isinstance(value, str):
            return f"expected a {self.noun} (one of {list(self.options)}), got {shown(value)}"
        if value not in self.options:
            return f"unknown {self.noun} {value!r}; valid options are {list(self.options)}"
        return None

    def _validate(self, value: Any) -> str:
        fault = self.fault(value)
        if fault is not None:
            raise PydanticCustomError(_LABEL if isinstance(value, str) else _FIELD, fault)
        return str(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return _plain(self._validate)


@dataclass(frozen=True)
class Total:
    """The sum of a table of numbers: ``equal`` to a value (shares summing to 1) or ``below`` one.

    Examples
    --------
    >>> Total(equal=1.0, noun="shares").fault({"a": 0.5, "b": 0.4})
    'expected shares summing to 1, got a sum of 0.9'
    """

    equal: float | None = None
    below: float | None = None
    noun: str = "values"

    def fault(self, value: Mapping[Any, float]) -> str | None:
        """What is wrong with the table's sum (``None``: nothing)."""
        total = math.fsum(value.values())
        if self.equal is not None and abs(total - self.equal) > 1e-6:
            return f"expected {self.noun} summing to {_bound(self.equal)}, got a sum of {total:.6g}"
        if self.below is not None and not total < self.below:
            return f"expected {self.noun} summing to less than {_bound(self.below)}, got a sum of {total:.6g}"
        return None

    def _validate(self, value: Any) -> Any:
        fault = self.fault(value)
        if fault is not None:
            raise PydanticCustomError(_FIELD, fault)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._validate, handler(source))


@dataclass(frozen=True)
class Tables:
    """An array of tables (``[[name]]`` headers in TOML); a single table ``[name]`` is refused with a hint.

    Parameters
    ----------
    min_items
        Fewest tables.
    """

    min_items: int = 0

    def _check(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            raise PydanticCustomError(
                _TABLES, "expected an array of tables, got a single table: write [[{name}]] (double brackets) for each"
            )
        if not isinstance(value, list | tuple):
            raise PydanticCustomError(_TABLES, f"expected an array of tables ([[{{name}}]]), got {shown(value)}")
        if len(value) < self.min_items:
            raise PydanticCustomError(_TABLES, f"expected at least {self.min_items} [[{{name}}]] table(s), got none")
        return list(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self._check, handler(source))


#: A share: a number in [0, 1].
Share = Annotated[float, Number(0.0, 1.0)]
#: An amount: a finite number >= 0.
Amount = Annotated[float, Number(0.0)]
#: A year (:data:`YEAR`).
Year = Annotated[int, YEAR]


# --------------------------------------------------------------------------- reading and checking
def is_toml_file(text_or_path: str | Path) -> bool:
    r"""Whether the argument names a file (a ``Path``, or a one-line string ending in ``.toml``), not TOML text.

    Examples
    --------
    >>> is_toml_file("petro.toml"), is_toml_file('name = "petro.toml"\n')
    (True, False)
    """
    return isinstance(text_or_path, Path) or (
        "\n" not in str(text_or_path) and str(text_or_path).strip().endswith(".toml")
    )


def read_document(text_or_path: str | Path, what: str) -> tuple[dict[str, Any], str]:
    r"""Parse a TOML file (a ``Path`` or a one-line string ending in ``.toml``) or TOML text.

    Parameters
    ----------
    text_or_path
        The file or the text.
    what
        What the document is (``"scenario"``), for messages.

    Returns
    -------
    tuple of dict and str
        The parsed document and its source for messages: the file as given,
        or ``"{what} TOML"`` for text.

    Raises
    ------
    DocumentReadError
        No such file, a folder, a file the system refuses to read, a binary
        file, text that is not UTF-8 (a byte-order mark is allowed), a TOML
        syntax error (with its line and column).

    Examples
    --------
    >>> read_document('name = "x"\nyears = [2026, 2030]', "scenario")
    ({'name': 'x', 'years': [2026, 2030]}, 'scenario TOML')
    >>> read_document("name = ", "scenario")
    Traceback (most recent call last):
        ...
    iomodel.validation.DocumentReadError: scenario TOML is invalid: TOML syntax error:
    Invalid value (at end of document)
    """
    if is_toml_file(text_or_path):
        p = Path(text_or_path)
        source = str(text_or_path)

        def refuse(message: str) -> NoReturn:
            raise DocumentReadError(source, [Problem((), message)], message=message)

        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            refuse(f"{what} file {source} not found")
        except IsADirectoryError:
            refuse(f"{what} file {source} is a folder, not a file")
        except OSError as exc:
            refuse(f"{what} file {source} cannot be read: {exc.strerror or exc}")
        if b"\x00" in raw:
            refuse(f"{source} is a binary file, not TOML text")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            refuse(f"{source} is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line} cannot be decoded")
    else:
        text, source = str(text_or_path), f"{what} TOML"
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        message = f"{source} is invalid: TOML syntax error: {exc}"
        raise DocumentReadError(source, [Problem((), f"TOML syntax error: {exc}")], message=message) from None


def validate_document(
    schema: type[D],
    data: Any,
    source: str,
    *,
    problems: Iterable[Problem] = (),
    then: Callable[[D], Iterable[Problem]] | None = None,
) -> D:
    """Check a parsed document against a schema; every problem raised at once as an iomodel error.

    Parameters
    ----------
    schema
        A :class:`Document` subclass.
    data
        The parsed document (a ``dict``).
    source
        The file as given, or a name for text, for messages.
    problems
        Problems found before (e.g. a file without its unit), listed first.
    then
        Checks of the validated document that need more than the document
        (e.g. labels an economy knows); they run when the schema finds nothing.

    Returns
    -------
    Document
        The validated document.

    Notes
    -----
    Problems are listed in the order of the document's top-level keys.
    Checks across fields (years inside the horizon, unique names) run once
    the fields they compare are valid, so they may show only after the
    first problems are fixed.

    Raises
    ------
    DocumentError
        Wrong types, missing keys, values out of range, ... (an
        :class:`~iomodel.errors.ValidationError`);
        :class:`DocumentLabelError` when a key or label is unknown.
    """
    found = list(problems)
    doc: D | None = None
    data = _as_dicts(data)
    try:
        doc = schema.model_validate(data)
    except PydanticValidationError as exc:
        found += [_problem(e) for e in exc.errors(include_url=False)]
    if doc is not None and then is not None:
        found += list(then(doc))
    if found or doc is None:
        raise _error(source, _in_file_order(found, data))
    return doc


def _as_dicts(data: Any) -> Any:
    """Mappings of any kind (a ``frozendict`` from Python) as dicts, which strict schemas take."""
    if isinstance(data, Mapping):
        return {k: _as_dicts(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_as_dicts(v) for v in data] if isinstance(data, list) else tuple(_as_dicts(v) for v in data)
    return data


def _in_file_order(problems: list[Problem], data: Any) -> list[Problem]:
    """Problems in the order of the top-level keys in the document (the whole document first, missing keys last)."""
    order = {k: i for i, k in enumerate(data)} if isinstance(data, Mapping) else {}
    return sorted(problems, key=lambda p: order.get(p.path[0], len(order)) if p.path else -1)


@contextmanager
def errors_in(source: str) -> Iterator[None]:
    """Name the document in an iomodel error raised while objects are built from it.

    A check that only a dataclass makes (or a label only an economy knows)
    then reads ``"{source}: {message}"``; a :class:`~iomodel.errors.LabelError`
    stays one (:class:`DocumentLabelError`).

    Examples
    --------
    >>> with errors_in("petro.toml"):
    ...     raise ValidationError("investment 'a': year(s) [2050] outside the scenario horizon 2026-2045")
    Traceback (most recent call last):
        ...
    iomodel.validation.DocumentError: petro.toml: investment 'a': year(s) [2050] outside the scenario horizon 2026-2045
    """
    try:
        yield
    except DocumentError:
        raise
    except IOModelError as exc:
        label = isinstance(exc, LabelError)
        raise _error(source, [Problem((), str(exc), label=label)]) from exc


def given(doc: BaseModel) -> dict[str, Any]:
    """The keys a document states (not those left to their defaults), by name, without ``None``.

    Examples
    --------
    >>> class Plant(Document):
    ...     name: str
    ...     share: float | None = None
    >>> given(Plant.model_validate({"name": "a"}))
    {'name': 'a'}
    """
    out = {}
    for name in type(doc).model_fields:
        if name in doc.model_fields_set:
            value = getattr(doc, name)
            if value is not None:
                out[name] = value
    return out
