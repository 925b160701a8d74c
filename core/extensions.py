"""Extension objects, created unbound here and bound to the app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()
# No catch-all "default" answer in the OpenAPI document: each operation lists the errors it gives
# (core/api.py), so a client - and the schemathesis test - can rely on the list.
api.DEFAULT_ERROR_RESPONSE_NAME = None
