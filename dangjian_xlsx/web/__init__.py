"""The web face of a round (`dangjian-xlsx serve`): a local page over the same round folder and the same
library steps as the command line. Importing this stage loads FastAPI: only the serve command does."""

from .app import create_app
from .folder import RoundFolder
from .server import listen, serve

__all__ = ["RoundFolder", "create_app", "listen", "serve"]
