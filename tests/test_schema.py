"""The JSON report follows the schema shipped with the package."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from sourcetrace.models import SCHEMA_VERSION, Report


@pytest.fixture(scope="module")
def shipped_schema() -> dict[str, object]:
    text = resources.files("sourcetrace.resources").joinpath("report.schema.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def test_shipped_schema_is_the_models_schema(shipped_schema: dict[str, object]) -> None:
    # Regenerate with: sourcetrace schema > src/sourcetrace/resources/report.schema.json
    assert shipped_schema == Report.model_json_schema()


def test_seed_report_validates_and_round_trips(seed_report: Report, shipped_schema: dict[str, object]) -> None:
    document = json.loads(seed_report.model_dump_json())
    jsonschema.validate(document, shipped_schema)
    assert document["schema_version"] == SCHEMA_VERSION
    assert Report.model_validate_json(seed_report.model_dump_json()) == seed_report
