"""Find every installed app's ``vars.py`` once, at start-up, through the app registry."""

from __future__ import annotations

import importlib
import inspect
import logging
import traceback
from collections.abc import Iterable
from types import ModuleType

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

from expvar.conf import get_config
from expvar.registry import AppSource, Declaration, Discovery, ImportFailure, Problem
from expvar.reports import describe
from expvar.variables import ExpVar

logger = logging.getLogger("expvar")


def discover(
    app_configs: Iterable[AppConfig] | None = None, skip: Iterable[str] | None = None
) -> Discovery:
    """Import each app's ``vars.py`` and collect the variables it declares."""
    if app_configs is None:
        app_configs = apps.get_app_configs()
    skipped = frozenset(skip if skip is not None else get_config().skip)
    sources: list[AppSource] = []
    declarations: list[Declaration] = []
    failures: list[ImportFailure] = []
    problems: list[Problem] = []
    for index, config in enumerate(app_configs):
        source = AppSource(config.label, config.name, str(config.verbose_name), index)
        sources.append(source)
        if config.name in skipped or config.label in skipped:
            continue
        if config.module is None or not module_has_submodule(config.module, "vars"):
            continue
        module_name = f"{config.name}.vars"
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            logger.exception("expvar: could not import %s", module_name)
            failures.append(_failure(source, module_name, exc))
        else:
            declarations.extend(_collect(module, source, failures, problems))
    return Discovery(tuple(sources), tuple(declarations), tuple(failures), tuple(problems), skipped)


def _failure(source: AppSource, where: str, exc: BaseException) -> ImportFailure:
    return ImportFailure(source, where, describe(exc), traceback.format_exc())


def _collect(
    module: ModuleType,
    source: AppSource,
    failures: list[ImportFailure],
    problems: list[Problem],
) -> list[Declaration]:
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
            failures.append(_failure(source, origin, exc))
            continue
        if not isinstance(name, str) or not name:
            message = (
                f"{origin} has no name (got {name!r}), so it is not published. "
                'Set `name = "..."` on the class, or `abstract = True` if it is a base.'
            )
            problems.append(Problem(source, origin, message))
            continue
        ttl = attribute.cache_ttl
        if ttl is not None and not (
            isinstance(ttl, (int, float)) and not isinstance(ttl, bool) and ttl >= 0
        ):
            message = (
                f"{origin}.cache_ttl is {ttl!r}; it must be a number of seconds >= 0 or None. "
                "The value is read on every request until this is fixed."
            )
            problems.append(Problem(source, origin, message))
            ttl = None
        declarations.append(
            Declaration(
                name=name,
                app=source,
                origin=origin,
                read=instance.value,
                variable=instance,
                is_async=inspect.iscoroutinefunction(instance.value),
                cache_ttl=float(ttl) if ttl else None,  # 0 caches nothing
                position=len(declarations),
            )
        )
    return declarations
