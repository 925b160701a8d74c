"""REST API for tickets (flask-smorest)."""

from flask_smorest import Blueprint

blp = Blueprint("tickets", __name__, url_prefix="/api/v1", description="Tickets")
