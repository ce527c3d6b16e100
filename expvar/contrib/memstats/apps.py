from __future__ import annotations

from django.apps import AppConfig


class MemstatsConfig(AppConfig):
    name = "expvar.contrib.memstats"
    label = "expvar_memstats"
    verbose_name = "Expvar: memstats"

    def ready(self) -> None:
        from expvar.contrib.memstats import panel
        from expvar.contrib.memstats.gcwatch import watch
        from expvar.dashboard.panels import register_panel

        watch.install()
        register_panel(panel.TEMPLATE, panel.context, scripts=[panel.SCRIPT])
