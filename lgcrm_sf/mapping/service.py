"""The mapping commands' core: which mapping a profile uses, validating one, writing one."""

from __future__ import annotations

from pathlib import Path

from ..config import Profile, write_atomically
from ..errors import ConfigError
from .loader import DEFAULT_NAME, Problem, load, load_default, parse
from .model import Mapping
from .validate import read_org_schema, validate


def mapping_for(profile: Profile, override: Path | None = None) -> Mapping:
    """The mapping a run uses: --mapping, else the profile's file, else the built-in default."""
    if override is not None:
        return load(override)
    settings = profile.load()
    if settings.mapping_file:
        return load(settings.mapping_file)
    return load_default()


def validate_mapping(
    profile: Profile, path: Path | None, client=None, leadgen_users: set[str] | None = None
) -> tuple[Mapping | None, list[Problem], str]:
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"The mapping file {path} does not exist.")
        source = str(path)
        mapping, problems = parse(path.read_text(encoding="utf-8"), source)
    else:
        settings = profile.load()
        if settings.mapping_file:
            source = settings.mapping_file
            mapping, problems = parse(Path(source).read_text(encoding="utf-8"), source)
        else:
            from .loader import default_text

            source = DEFAULT_NAME
            mapping, problems = parse(default_text(), source)
    if mapping is None or problems:
        return mapping, problems, source
    schema = read_org_schema(client, mapping) if client is not None else None
    return mapping, validate(mapping, schema, leadgen_users), source


def use_mapping(profile: Profile, path: Path) -> str:
    resolved = path.expanduser().resolve()
    load(resolved)  # refuse a file that doesn't even parse
    settings = profile.load()
    settings.mapping_file = str(resolved)
    profile.save(settings)
    return str(resolved)


def write_mapping(path: Path, text: str, force: bool) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists: pass --force to replace it.")
    write_atomically(path, text, mode=0o644)
