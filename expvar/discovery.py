"""Find every installed app's ``vars.py`` once, at start-up, through the app registry."""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Iterable, Sequence
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

from expvar.registry import AppSource, Declaration, ImportFailure, Problem, Registry
from expvar.variables import ExpVar

logger = logging.getLogger("expvar")

VARS_MODULE = "vars"

_registry: Registry | None = None


def get_registry() -> Registry:
    """Return the registry built at start-up, building it first if start-up has not run."""
    global _registry
    if _registry is None:
        _registry = discover()
    return _registry


def current_registry() -> Registry | None:
    """Return the registry if one has been built, without building it."""
    return _registry


def set_registry(registry: Registry) -> Registry:
    """Replace the process-wide registry (start-up does this; so may tests)."""
    global _registry
    _registry = registry
    return registry


def discover(
    app_configs: Iterable[AppConfig] | None = None, skip: Sequence[str] | None = None
) -> Registry:
    """Import each app's ``vars.py`` and collect the variables it declares."""
    if app_configs is None:
        app_configs = apps.get_app_configs()
    skipped = set(skip if skip is not None else _skip_setting())
    registry = Registry()
    declarations: list[Declaration] = []
    for index, config in enumerate(app_configs):
        source = AppSource(
            label=config.label,
            name=config.name,
            verbose_name=str(config.verbose_name),
            index=index,
        )
        registry.apps.append(source)
        if config.name in skipped or config.label in skipped:
            continue
        module = _import_vars(config, source, registry)
        if module is not None:
            declarations.extend(_collect(module, source, registry))
    registry.add(declarations)
    from expvar.push.registration import attach  # push variables, after each app's pull ones

    attach(registry, skipped)
    return registry


def _skip_setting() -> list[str]:
    from expvar.conf import settings

    value = settings.SKIP
    if isinstance(value, (list, tuple)):
        return [entry for entry in value if isinstance(entry, str)]
    return []


def _import_vars(config: AppConfig, source: AppSource, registry: Registry) -> ModuleType | None:
    if config.module is None or not module_has_submodule(config.module, VARS_MODULE):
        return None
    module_name = f"{config.name}.{VARS_MODULE}"
    try:
        return importlib.import_module(module_name)
    except Exception as exc:
        logger.exception("expvar: could not import %s", module_name)
        registry.import_failures.append(
            ImportFailure(
                app=source,
                module=module_name,
                error=f"{type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
            )
        )
        return None


def _collect(module: ModuleType, source: AppSource, registry: Registry) -> list[Declaration]:
    declarations: list[Declaration] = []
    for attribute in list(vars(module).values()):
        if not (
            isinstance(attribute, type)
            and issubclass(attribute, ExpVar)
            and attribute.__module__ == module.__name__
            and not attribute.is_abstract()
        ):
            continue
        origin = f"{attribute.__module__}.{attribute.__qualname__}"
        try:
            instance = attribute()
            name = instance.get_name()
        except Exception as exc:
            logger.exception("expvar: could not set up %s", origin)
            registry.import_failures.append(
                ImportFailure(
                    app=source,
                    module=origin,
                    error=f"{type(exc).__name__}: {exc}",
                    traceback=traceback.format_exc(),
                )
            )
            continue
        if not isinstance(name, str) or not name:
            registry.problems.append(
                Problem(
                    app=source,
                    origin=origin,
                    message=(
                        f"{origin} has no name (got {name!r}), so it is not published. "
                        'Set `name = "..."` on the class, or `abstract = True` if it is a base.'
                    ),
                )
            )
            continue
        declarations.append(
            Declaration(
                name=name,
                app=source,
                origin=origin,
                position=len(declarations),
                read=instance.value,
                variable=instance,
                cache_ttl=_cache_ttl(attribute, source, origin, registry),
                never_blocks=getattr(attribute, "never_blocks", False) is True,
            )
        )
    return declarations


def _cache_ttl(
    cls: type[ExpVar], source: AppSource, origin: str, registry: Registry
) -> float | None:
    ttl = cls.cache_ttl
    if ttl is None:
        return None
    if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) and ttl >= 0:
        return float(ttl) or None
    registry.problems.append(
        Problem(
            app=source,
            origin=origin,
            message=(
                f"{origin}.cache_ttl is {ttl!r}; it must be a number of seconds >= 0 or None. "
                "The value is read on every request until this is fixed."
            ),
        )
    )
    return None
