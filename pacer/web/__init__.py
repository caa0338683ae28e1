"""``pacer serve``: the phone companion, a small web app served by the device.

Modules: :mod:`~pacer.web.app` (routes), :mod:`~pacer.web.auth` (pairing, tokens,
CSRF, rate limits), :mod:`~pacer.web.sessions` (session lookup and cached reviews),
:mod:`~pacer.web.stats` (pure: consistency, progress), :mod:`~pacer.web.charts` (SVG),
:mod:`~pacer.web.layout` and ``pages_*`` (server-rendered HTML),
:mod:`~pacer.web.configfile` (settings written back to the TOML config),
:mod:`~pacer.web.settings` (where things live). Reference: docs/web.md.
"""
