"""The admin's handle on the dashboard: a model without a table, for its entry and permission."""

from __future__ import annotations

from django.db import models


class Variable(models.Model):
    # No table: the model exists so that the admin lists "Variables" under "Expvar" and so that
    # access is an ordinary permission a site can grant to groups.
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_variable", "Can view expvar variables")]
        verbose_name = "variable"
        verbose_name_plural = "Variables"

    def __str__(self) -> str:
        return "expvar variable"
