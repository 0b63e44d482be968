"""Built-in model presets (``kawasan-industri``, ``apht``), shipped as YAML in kawasan/presets."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from kawasan.errors import ModelError
from kawasan.i18n import Message
from kawasan.spatial.model import Model, load_model, model_from_dict

_PKG = "kawasan.presets"


def preset_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(_PKG).iterdir() if p.name.endswith(".yaml"))


def preset_text(name: str) -> str:
    if name not in preset_names():
        raise ModelError(Message("err.unknown_preset", name=name, names=", ".join(preset_names())), source=name)
    return resources.files(_PKG).joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def load_preset(name: str) -> Model:
    return model_from_dict(yaml.safe_load(preset_text(name)), source=f"preset:{name}")


def resolve_model(ref: str | Path) -> tuple[Model, str, Path]:
    """A model file path or a preset name -> (model, source label, folder for relative paths)."""
    p = Path(ref)
    if p.suffix.lower() in (".yaml", ".yml", ".toml") or p.exists():
        return load_model(p), str(p), p.parent
    if str(ref) in preset_names():
        return load_preset(str(ref)), f"preset:{ref}", Path(".")
    raise ModelError(
        Message("err.not_model", names=", ".join(preset_names())),
        source=str(ref),
    )


def missing_layers(model: Model, folder: str | Path) -> list[str]:
    """Layers ``model`` cannot run without that the study area in ``folder`` lacks (none of a rule's candidate
    layers exists, and the rule may not be skipped). Empty: the model can run there."""
    from kawasan.spatial.studyarea import LayerStore, open_study_area

    store = LayerStore(open_study_area(folder, model), model)
    missing: list[str] = []
    for item in [*model.criteria, *model.constraints]:
        if getattr(item, "enabled", True) is False:
            continue
        if any(store.exists(layer) for layer in [item.layer, *(f.layer for f in item.fallback)]):
            continue
        if model.layers[item.layer].optional or getattr(item, "skip_if_missing", False):
            continue
        if item.layer not in missing:
            missing.append(item.layer)
    return missing
