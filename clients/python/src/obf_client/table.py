"""A step's answer with its feature table: the binary form (`Accept: application/octet-stream`,
openapi.yaml "BinaryStepReport") or the JSON form of `?include=feature_table`, read alike."""

from __future__ import annotations

import json
import sys
from array import array
from dataclasses import dataclass
from typing import Any

from .errors import ServiceError

TABLE_MEDIA_TYPE = "application/octet-stream"
MAGIC = b"OBFT"
_PREFIX = 8   # the magic, then the header's length (UInt32, little-endian)


@dataclass(frozen=True, slots=True)
class StepTable:
    """A step's answer: `report` is its JSON body without `feature_table`; `values` holds one row
    of `len(columns)` numbers per asset of `assets`, row after row."""

    report: dict[str, Any]
    columns: list[str]
    assets: list[str]
    values: array[float]


def decode_step_table(data: bytes) -> StepTable:
    """The step answer `data`, binary or JSON; raises `ServiceError` when it is neither, or
    when its table does not add up."""
    try:
        if data[:4] == MAGIC:
            length = int.from_bytes(data[4:_PREFIX], "little")
            report = json.loads(data[_PREFIX:_PREFIX + length])
            values = array("d")
            values.frombytes(memoryview(data)[_PREFIX + length:])
            if sys.byteorder == "big":
                values.byteswap()
        else:
            report = json.loads(data)
            values = array("d", report["feature_table"].pop("values"))
        table = report.pop("feature_table")
        columns, assets = table["columns"], table["assets"]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ServiceError(200, "", f"a step answer without a readable feature table ({type(error).__name__}: "
                                    f"{error}): {bytes(data[:80])!r}") from error
    if len(values) != len(assets) * len(columns):
        raise ServiceError(200, "", f"a feature table of {len(values)} numbers for {len(assets)} assets × "
                                    f"{len(columns)} columns")
    return StepTable(report, columns, assets, values)
