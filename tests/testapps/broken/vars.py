from __future__ import annotations

import expvar


class Broken(expvar.ExpVar)
    name = "broken"
