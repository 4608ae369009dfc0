import pytest

from cookbook import modes


def test_default_is_smoke(monkeypatch):
    monkeypatch.delenv("DLCB_MODE", raising=False)
    assert modes.resolve_mode() == "smoke"


def test_env_var_then_parameter_override(monkeypatch):
    monkeypatch.setenv("DLCB_MODE", "full")
    assert modes.resolve_mode() == "full"
    assert modes.resolve_mode("smoke") == "smoke"  # the papermill parameter wins
    assert modes.resolve_mode(" FULL ") == "full"


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="smoke, full"):
        modes.resolve_mode("fast")


def test_configure_picks_sizes_per_mode(monkeypatch):
    monkeypatch.delenv("DLCB_RETRAIN", raising=False)
    smoke = modes.configure("smoke", None, smoke=dict(epochs=2, rows=100), full=dict(epochs=40, rows=None))
    full = modes.configure("full", None, smoke=dict(epochs=2, rows=100), full=dict(epochs=40, rows=None))
    assert (smoke.epochs, smoke.rows, smoke.smoke, smoke.train_now) == (2, 100, True, True)
    assert (full.epochs, full["rows"], full.smoke, full.train_now) == (40, None, False, False)
    assert "epochs=40" in full.describe()
    with pytest.raises(AttributeError, match="no setting"):
        full.batch_size


def test_retrain_flag_from_env_and_parameter(monkeypatch):
    monkeypatch.setenv("DLCB_RETRAIN", "1")
    cfg = modes.configure("full", None, smoke={"a": 1}, full={"a": 2})
    assert cfg.retrain and cfg.train_now
    cfg = modes.configure("full", False, smoke={"a": 1}, full={"a": 2})
    assert not cfg.train_now
    with pytest.raises(ValueError):
        modes.resolve_flag("maybe", "DLCB_RETRAIN")


def test_settings_tables_must_match():
    with pytest.raises(ValueError, match="differ"):
        modes.configure("smoke", None, smoke={"epochs": 1}, full={"epochs": 2, "rows": 3})
