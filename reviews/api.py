"""REST API of the improvement loop under /api/v1.

- `GET /reviews/recurring?days=N` (staff token): recurring problems of the last N days, with their trend
  against the N days before, the organisations and products affected, and the problem each matches.
- `POST /surveys/<token>` (no token header: the survey token in the path is the credential): the one
  answer of a satisfaction survey. 404 for an unknown token, 409 when answered already, 410 when
  expired; a bad score is a 422 naming `score`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint, abort

from core.api import require_token
from core.db import utcnow
from core.extensions import db
from reviews import queries, surveys
from reviews.errors import ReviewError
from reviews.schemas import RecurringArgs, RecurringOut, SurveyIn, SurveyOut

blp = Blueprint("reviews_api", __name__, url_prefix="/api/v1", description="Recurring problems")
survey_blp = Blueprint("surveys_api", __name__, url_prefix="/api/v1", description="Satisfaction surveys")
STATUS = {"not_found": 404, "answered": 409, "expired": 410}


require_token(blp, staff_only=_l("Recurring problems span every organisation: staff only."))


@blp.get("/reviews/recurring")
@blp.arguments(RecurringArgs, location="query")
@blp.response(200, RecurringOut)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
def recurring(args: dict):
    """Recurring problems

    Tickets of the last `days` days grouped by the fault they report, in either language, largest
    first. Clusters an engineer dismissed are left out.
    """
    views = queries.detect_recurring(days=args["days"], now=utcnow(), min_size=args["min_size"])
    return {"days": args["days"], "clusters": [v.as_dict() for v in views]}


@survey_blp.post("/surveys/<string(maxlength=100):token>")
@survey_blp.arguments(SurveyIn)
@survey_blp.response(200, SurveyOut)
@survey_blp.alt_response(400, response="BAD_REQUEST")
@survey_blp.alt_response(404, response="NOT_FOUND")
@survey_blp.alt_response(409, response="CONFLICT")
@survey_blp.alt_response(410, response="GONE")
@survey_blp.doc(security=[])
def answer_survey(data: dict, token: str):
    """Answer a satisfaction survey

    The token from the survey mail is the credential; no Authorization header. One answer per ticket.
    """
    try:
        survey = surveys.answer(
            surveys.survey_for_token(token), score=data["score"], comment=data["comment"], channel="api"
        )
    except surveys.SurveyUnavailable as exc:
        db.session.rollback()
        abort(STATUS[exc.reason], message=str(exc))
    except ReviewError as exc:
        db.session.rollback()
        abort(422, message=str(exc), errors={"json": {exc.field or "_schema": [str(exc)]}})
    db.session.commit()
    return survey
