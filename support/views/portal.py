"""placeholder"""

from flask import Blueprint

bp = Blueprint("portal", __name__, url_prefix="/portal")


@bp.get("")
def index():
    return "portal"


@bp.get("/tickets/new")
def new_ticket():
    return "new"
