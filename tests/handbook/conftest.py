"""Each entry's quick run is recorded as the entry tests make it, so the engine-wide checks in
test_engine.py read those runs instead of computing every entry a second time (entries are seeded:
a second quick run gives the same result, and it cost the suite about two minutes)."""
import copy
import importlib

import pytest

_entry_module = importlib.import_module("gradbook.handbook.entry")
_QUICK_RUNS: dict = {}


@pytest.fixture(autouse=True, scope="session")
def _record_quick_runs():
    original = _entry_module.Entry.run

    def recording_run(self, quick: bool = True):
        result = original(self, quick)
        if quick:
            _QUICK_RUNS[self.id] = copy.deepcopy(result)
        return result

    _entry_module.Entry.run = recording_run
    yield
    _entry_module.Entry.run = original


@pytest.fixture
def quick_run():
    """``quick_run(entry)``: the entry's recorded quick result, or a fresh quick run if none was made."""
    def get(entry):
        recorded = _QUICK_RUNS.get(entry.id)
        return copy.deepcopy(recorded) if recorded is not None else entry.run(quick=True)
    return get
