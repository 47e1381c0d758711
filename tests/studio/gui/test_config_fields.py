"""The training form's field specs read each field's bounds from its pydantic constraints."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from studio.gui.config_fields import field_specs, preset_description


class Bounded(BaseModel):
    rate: float = Field(0.5, ge=0.0, lt=1.0)
    steps: int = Field(3, gt=0, le=10)
    name: str = "x"


def test_bounds_and_their_words_come_from_the_constraints() -> None:
    specs = {s.path: s for s in field_specs(Bounded)}
    rate, steps, name = specs["rate"], specs["steps"], specs["name"]
    assert (rate.kind, rate.low, rate.high, rate.allowed) == ("float", 0.0, 1.0, ">= 0.0 and < 1.0")
    assert (steps.kind, steps.low, steps.high, steps.allowed) == ("int", 0, 10, "> 0 and <= 10")
    assert (name.low, name.high, name.allowed) == (None, None, "")


def test_a_preset_description_is_the_first_whole_sentence_of_its_comment(tmp_path: Path) -> None:
    """A first comment line can stop mid-sentence: the description reads on to the full stop, which a
    number such as 1e-4 or 0.7 does not end."""
    preset = tmp_path / "p.toml"
    preset.write_text(
        "# DINet, lr 1e-4, brightness 0.7-1.3 (against blur),\n"
        "# batch 16. Weights carry over.\n"
        "# dhstudio train p.toml\n"
        'kind = "dinet"\n',
        encoding="utf-8",
    )
    assert preset_description(preset) == "DINet, lr 1e-4, brightness 0.7-1.3 (against blur), batch 16."
    preset.write_text('# No full stop here\nkind = "dinet"\n# a later comment.\n', encoding="utf-8")
    assert preset_description(preset) == "No full stop here"
    assert preset_description(tmp_path / "missing.toml") == ""


def test_every_shipped_preset_describes_itself_in_whole_sentences() -> None:
    shipped = sorted((Path(__file__).parents[3] / "training_jobs").glob("*.toml"))
    assert shipped
    for path in shipped:
        assert preset_description(path).endswith("."), path.name
