"""Table models of the catalog browser: one per record kind, overrides marked, plus a filter."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import sqlite_utils
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from advisor.catalog.overrides import list_overrides
from advisor.catalog.records import ApiModel, CloudOffer, Gpu, OpenModel, QualityScore, StaffCost
from advisor.catalog.seeds import SEED_KINDS
from advisor.catalog.snapshot import Catalog, value_from_db

SORT_ROLE = Qt.ItemDataRole.UserRole + 1

# Blue for "your number", amber for "our assumption": readable on light and dark palettes alike
# because assumption rows set their own dark text on the light background.
OVERRIDE_COLOUR = QColor("#1a5fb4")
ASSUMPTION_BACKGROUND = QColor("#fdf0c4")
ASSUMPTION_TEXT = QColor("#3d2c00")
DEPRECATED_TEXT = QColor("#77767b")

_NUMERIC = ("money", "num", "int")
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: its header, how to read the value from a record, and how to show it.

    ``field`` names the override field when the cell can be edited (a price or a cost).
    """

    header: str
    value: Callable[[Any], Any]
    fmt: str = "text"  # text, money, num, int, source, basis
    field: str | None = None
    header_tip: str = ""
    tip: Callable[[Any], str | None] | None = None


def format_money(value: Decimal) -> str:
    """Cents for ordinary amounts, every published digit for sub-cent token prices."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value:,.2f}"
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}.{frac}" if frac else f"{int(whole):,}"


def format_number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def short_source(source: str) -> str:
    """The host of a source URL (``www.`` dropped); other sources as they are."""
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return parsed.netloc.removeprefix("www.")
    return source


def format_value(value: Any, fmt: str) -> str:
    """How a cell value is shown (empty values as an en dash in numeric columns)."""
    if value is None or value == "":
        return "–" if fmt in _NUMERIC else ""
    if fmt == "money":
        return format_money(Decimal(value))
    if fmt == "num":
        return format_number(float(value))
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "source":
        return short_source(str(value))
    if fmt == "basis":
        return "⚠ assumption" if value == "assumption" else str(value)
    return str(value)


def own_values(count: int) -> str:
    """'no values of your own', '1 value of your own', '3 values of your own'."""
    if count == 0:
        return "no values of your own"
    return f"{count} value{'s' if count != 1 else ''} of your own"


def _wrapped(text: str, width: int = 90) -> str:
    return "\n".join(textwrap.fill(p, width) for p in text.splitlines() if p.strip())


# --- columns per kind --------------------------------------------------------------------------


def _api_price(key: str) -> Callable[[ApiModel], Decimal | None]:
    def read(model: ApiModel) -> Decimal | None:
        std = model.price_set("standard")
        found = std.get(key) if std is not None else None
        return found[0] if found is not None else None

    return read


def _api_tiers(key: str) -> Callable[[ApiModel], str | None]:
    def tip(model: ApiModel) -> str | None:
        std = model.price_set("standard")
        found = std.get(key) if std is not None else None
        if not found or not found[1]:
            return None
        steps = ", ".join(f"from {start:,} tokens ${format_money(p)}" for start, p in found[1])
        return f"Long-context tiers: {steps} per million tokens."

    return tip


def _gpu_price_tip(gpu: Gpu) -> str | None:
    parts = []
    if gpu.price_basis:
        parts.append(f"Price basis: {gpu.price_basis}")
    if gpu.price_source:
        parts.append(f"Price source: {gpu.price_source}" + f" ({gpu.price_as_of or 'undated'})")
    if gpu.price_note:
        parts.append(_wrapped(gpu.price_note))
    return "\n".join(parts) or None


def _source_columns() -> list[Column]:
    return [
        Column(
            "Basis",
            lambda r: r.basis,
            "basis",
            header_tip="published: stated by the source; derived: computed from published "
            "figures; assumption: our estimate, check it against your own numbers",
        ),
        Column("Source", lambda r: r.source, "source", header_tip="where the figures come from"),
        Column("As of", lambda r: r.as_of, header_tip="the date the source was read"),
    ]


API_COLUMNS = [
    Column("Provider", lambda m: m.provider_name or m.provider),
    Column("Model", lambda m: m.name or m.model),
    Column(
        "Input $/M",
        _api_price("input_mtok"),
        "money",
        field="input_mtok",
        header_tip="USD per million input tokens (double-click to enter your own price)",
        tip=_api_tiers("input_mtok"),
    ),
    Column(
        "Output $/M",
        _api_price("output_mtok"),
        "money",
        field="output_mtok",
        header_tip="USD per million output tokens (double-click to enter your own price)",
        tip=_api_tiers("output_mtok"),
    ),
    Column(
        "Cached $/M",
        _api_price("cache_read_mtok"),
        "money",
        field="cache_read_mtok",
        header_tip="USD per million cached input tokens (cache reads)",
        tip=_api_tiers("cache_read_mtok"),
    ),
    Column("Context", lambda m: m.context_window, "int", header_tip="context window in tokens"),
    *_source_columns(),
]

MODEL_COLUMNS = [
    Column("Model", lambda m: m.name),
    Column("Params (B)", lambda m: m.total_params_b, "num", header_tip="total parameters"),
    Column(
        "Active (B)",
        lambda m: m.active_params_b,
        "num",
        header_tip="parameters active per token (less than the total for mixture-of-experts)",
    ),
    Column("Layers", lambda m: m.layers, "int"),
    Column("KV heads", lambda m: m.kv_heads, "int", header_tip="key/value attention heads"),
    Column("Head dim", lambda m: m.head_dim, "int"),
    Column("Context", lambda m: m.max_context, "int", header_tip="maximum context in tokens"),
    Column("Licence", lambda m: m.licence),
    *_source_columns(),
]

GPU_COLUMNS = [
    Column("GPU", lambda g: g.name),
    Column("Memory (GB)", lambda g: g.memory_gb, "num"),
    Column("Bandwidth (GB/s)", lambda g: g.memory_bandwidth_gbs, "num"),
    Column("BF16 TFLOPS", lambda g: g.bf16_tflops, "num", header_tip="dense, without sparsity"),
    Column("FP8 TFLOPS", lambda g: g.fp8_tflops, "num", header_tip="dense, without sparsity"),
    Column("FP4 TFLOPS", lambda g: g.fp4_tflops, "num", header_tip="dense, without sparsity"),
    Column("TDP (W)", lambda g: g.tdp_w, "num"),
    Column(
        "Price $",
        lambda g: g.purchase_price_usd,
        "money",
        field="purchase_price_usd",
        header_tip="purchase price per GPU in USD (double-click to enter your own price)",
        tip=_gpu_price_tip,
    ),
    Column("Price basis", lambda g: g.price_basis),
    *_source_columns(),
]

CLOUD_COLUMNS = [
    Column("Provider", lambda o: o.provider),
    Column("Instance", lambda o: o.instance),
    Column("Region", lambda o: o.region),
    Column("GPU", lambda o: o.gpu),
    Column("GPUs", lambda o: o.gpu_count, "int", header_tip="GPUs in the instance"),
    Column(
        "On demand $/h",
        lambda o: o.on_demand_usd_per_hour,
        "money",
        field="on_demand_usd_per_hour",
        header_tip="USD per instance-hour, on demand (double-click to enter your own price)",
    ),
    Column("Reserved $/h", lambda o: o.reserved_usd_per_hour, "money"),
    Column("Spot $/h", lambda o: o.spot_usd_per_hour, "money"),
    *_source_columns(),
]

STAFF_COLUMNS = [
    Column("Role", lambda s: s.role.replace("_", " ")),
    Column("Region", lambda s: s.region.upper()),
    Column(
        "Loaded $/month",
        lambda s: s.loaded_monthly_usd,
        "money",
        field="loaded_monthly_usd",
        header_tip="salary plus benefits and employer costs per month, USD "
        "(double-click to enter your own cost)",
    ),
    Column("Base salary / year", lambda s: s.base_salary_annual, "money"),
    Column("Currency", lambda s: s.currency),
    *_source_columns(),
]

SCORE_COLUMNS = [
    Column("Model", lambda s: s.model),
    Column("Benchmark", lambda s: s.benchmark),
    Column("Score", lambda s: s.score, "num"),
    Column("Setting", lambda s: s.setting),
    *_source_columns(),
]


@dataclass(frozen=True)
class TableSpec:
    """One tab of the browser: its title, override kind, columns and records."""

    key: str  # the override kind ("api", "gpu"...) or "score"
    title: str
    columns: Sequence[Column]
    records: Callable[[Catalog], Sequence[Any]]
    record_type: type


TABLES: tuple[TableSpec, ...] = (
    TableSpec("api", "API prices", API_COLUMNS, lambda c: c.api_models, ApiModel),
    TableSpec("model", "Open models", MODEL_COLUMNS, lambda c: c.models, OpenModel),
    TableSpec("gpu", "GPUs", GPU_COLUMNS, lambda c: c.gpus, Gpu),
    TableSpec("cloud", "Cloud offers", CLOUD_COLUMNS, lambda c: c.cloud_offers, CloudOffer),
    TableSpec("staff", "Staffing", STAFF_COLUMNS, lambda c: c.staff, StaffCost),
    TableSpec("score", "Quality scores", SCORE_COLUMNS, lambda c: c.scores, QualityScore),
)


# --- published values behind overrides ---------------------------------------------------------


def published_values(db: sqlite_utils.Database) -> dict[tuple[str, str, str], str]:
    """The published value (shown as text) behind every user override.

    Overrides are stored apart from the imported rows, so the imported row still holds what the
    source published.

    Returns:
        ``(kind, record_id, field) -> text``; ``"none published"`` when the source gave none.
    """
    out: dict[tuple[str, str, str], str] = {}
    for row in list_overrides(db):
        kind, record_id, field = row["kind"], row["record_id"], row["field"]
        text = "none published"
        if kind == "api":
            found = db.execute(
                "SELECT base, tiers FROM api_prices WHERE api_model = ? AND variant = 'standard' "
                "AND price_key = ?",
                [record_id, field],
            ).fetchone()
            if found is not None:
                text = f"${format_money(Decimal(found[0]))} per million tokens"
                if found[1] and found[1] != "[]":
                    text += " (with long-context tiers)"
        elif kind in SEED_KINDS and field in SEED_KINDS[kind].all_fields():
            field_kind = SEED_KINDS[kind].all_fields()[field][0]
            found = db.execute(
                f"SELECT [{field}] FROM [{SEED_KINDS[kind].table}] WHERE id = ?", [record_id]
            ).fetchone()
            if found is not None and found[0] is not None:
                value = value_from_db(field_kind, found[0])
                text = format_value(value, "money" if field_kind == "money" else "num")
        out[(kind, record_id, field)] = text
    return out


# --- the model -----------------------------------------------------------------------------

Editor = Callable[[str, str, str, str], bool]


class CatalogTableModel(QAbstractTableModel):
    """Records of one kind as a read-only table, except price and cost cells.

    Editing a price cell calls ``editor(kind, record_id, field, text)``, which stores the user
    override and puts the reloaded record back with :meth:`replace_record`.
    """

    def __init__(
        self,
        spec: TableSpec,
        records: Iterable[Any] = (),
        published: Mapping[tuple[str, str, str], str] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self.columns = list(spec.columns)
        self.editor: Editor | None = None
        self.read_only = False
        self._records: list[Any] = list(records)
        self._published: dict[tuple[str, str, str], str] = dict(published or {})
        self._search: dict[int, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)

    # --- contents ------------------------------------------------------------------------
    def set_records(
        self, records: Iterable[Any], published: Mapping[tuple[str, str, str], str]
    ) -> None:
        self.beginResetModel()
        self._records = list(records)
        self._published = dict(published)
        self._search.clear()
        self.endResetModel()

    def replace_record(self, record: Any, published: Mapping[tuple[str, str, str], str]) -> None:
        """Put a reloaded record in place of the one with the same id."""
        row = self.row_of(record.id)
        self._published = dict(published)
        if row < 0:
            return
        self._records[row] = record
        self._search.pop(row, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def record(self, row: int) -> Any:
        return self._records[row]

    def row_of(self, record_id: str) -> int:
        return next((n for n, r in enumerate(self._records) if r.id == record_id), -1)

    def column_of(self, field: str) -> int:
        return next((n for n, c in enumerate(self.columns) if c.field == field), -1)

    def field_at(self, index: _Index) -> str | None:
        if not index.isValid():
            return None
        return self.columns[index.column()].field

    def is_overridden(self, index: _Index) -> bool:
        field = self.field_at(index)
        return field is not None and field in self._records[index.row()].overridden

    def published_text(self, index: _Index) -> str | None:
        field = self.field_at(index)
        if field is None:
            return None
        return self._published.get((self.spec.key, self._records[index.row()].id, field))

    def search_text(self, row: int) -> str:
        """All shown text of a row and its id, case-folded, for the filter."""
        found = self._search.get(row)
        if found is None:
            record = self._records[row]
            texts = [record.id] + [format_value(c.value(record), c.fmt) for c in self.columns]
            found = self._search[row] = " ".join(texts).casefold()
        return found

    def sort_value(self, row: int, column: int) -> Any:
        col = self.columns[column]
        value = col.value(self._records[row])
        if value is None or value == "":
            return None
        if col.fmt in _NUMERIC:
            return float(value)
        return format_value(value, col.fmt).casefold()

    # --- Qt interface ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            col = self.columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return col.header
            if role == Qt.ItemDataRole.ToolTipRole:
                return col.header_tip or None
            return None
        return super().headerData(section, orientation, role)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.columns[index.column()].field and self.editor is not None and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._records):
            return None
        record = self._records[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(col.value(record), col.fmt)
        if role == Qt.ItemDataRole.EditRole:
            value = col.value(record)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            return self.sort_value(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index, record, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.is_overridden(index):
                return OVERRIDE_COLOUR
            if record.basis == "assumption":
                return ASSUMPTION_TEXT
            if getattr(record, "deprecated", False):
                return DEPRECATED_TEXT
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return ASSUMPTION_BACKGROUND if record.basis == "assumption" else None
        if role == Qt.ItemDataRole.FontRole:
            if self.is_overridden(index) or (col.fmt == "basis" and record.basis == "assumption"):
                return self._bold
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.fmt in _NUMERIC:
                return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            return None
        return None

    def _tooltip(self, index: _Index, record: Any, col: Column) -> str | None:
        if self.is_overridden(index):
            published = self.published_text(index) or "unknown"
            return (
                f"Your value: {format_value(col.value(record), col.fmt)} (override)\n"
                f"Published value: {published}\n"
                "Right-click and choose 'Reset to published value' to go back."
            )
        if col.tip is not None:
            tip = col.tip(record)
            if tip:
                return tip
        if col.fmt == "source":
            return _wrapped(f"{record.source}\n{record.note or ''}")
        if col.fmt == "basis" and record.basis == "assumption":
            return "An assumption, not a published figure: check it against your own numbers."
        if index.column() == 0:
            extra = " (deprecated)" if getattr(record, "deprecated", False) else ""
            return record.id + extra
        if col.field is not None and self.editor is not None:
            return "Double-click to enter your own value (kept when prices are updated)."
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        field = self.field_at(index)
        if field is None or self.editor is None or self.read_only:
            return False
        text = str(value if value is not None else "").strip().replace(",", "").lstrip("$")
        current = self.data(index, Qt.ItemDataRole.EditRole)
        if text == current:
            return False
        return self.editor(self.spec.key, self._records[index.row()].id, field, text)


class CatalogFilterProxy(QSortFilterProxyModel):
    """Keeps rows containing every typed word (any column, or the id); sorts numbers as numbers
    with empty cells first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SORT_ROLE)

    def set_search(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        if not isinstance(model, CatalogTableModel):
            return True
        text = model.search_text(source_row)
        return all(word in text for word in self._words)

    def lessThan(self, left: _Index, right: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, CatalogTableModel):
            return super().lessThan(left, right)
        a = model.sort_value(left.row(), left.column())
        b = model.sort_value(right.row(), right.column())
        if a is None or b is None:
            return a is None and b is not None
        return bool(a < b)
