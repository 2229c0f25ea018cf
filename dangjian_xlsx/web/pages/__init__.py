"""The pages, one module each; `ROUTERS` is what the app mounts, in the order of the navigation."""

from . import corrections, generate, home, inbox, inspection, progress, settings, summary

ROUTERS = [
    home.router,
    settings.router,
    generate.router,
    inbox.router,
    progress.router,
    summary.router,
    corrections.router,
    inspection.router,
]
