"""The one table of allowed moves on a PAKN case, read by the services (to refuse) and by the case page (to offer).

A move is named by what the user does, not by the state it leads to. `MOVES` says which moves each state allows;
`APPROVER_MOVES` are further limited to those who may approve an answer (a lead of the case's unit, provincial
staff or an administrator). `allowed_moves` combines both for one user and one case, so that a page never offers a
move that the service would then refuse.
"""

from django.utils.translation import gettext_lazy as _

from .models import Case, Status


class Move:
    ACCEPT = "accept"
    REJECT = "reject"
    REQUEST_INFORMATION = "request_information"
    START = "start"
    CLOSE = "close"
    ANSWER = "answer"
    APPROVE = "approve"
    APPROVE_AND_PUBLISH = "approve_publish"
    RETURN = "return"
    PUBLISH = "publish"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    NOTE = "note"


# Moves that only change the state, with the state each leads to and its label in the status form.
STATUS_MOVES: dict[str, tuple[str, str]] = {
    Move.ACCEPT: (Status.ACCEPTED, _("Thụ lý")),
    Move.REJECT: (Status.REJECTED, _("Không thụ lý")),
    Move.REQUEST_INFORMATION: (Status.NEEDS_INFORMATION, _("Yêu cầu bổ sung thông tin")),
    Move.START: (Status.IN_PROGRESS, _("Bắt đầu xử lý")),
    Move.CLOSE: (Status.CLOSED, _("Đóng")),
}

_OPEN_BEFORE_ANSWER = {Move.ANSWER, Move.ASSIGN, Move.TRANSFER, Move.NOTE}

MOVES: dict[str, set[str]] = {
    # An answer may be written from any open state before one exists: the service records the acceptance and the
    # start of processing on the way, so that an officer answers a new case in one submission.
    Status.RECEIVED: {Move.ACCEPT, Move.REJECT, Move.REQUEST_INFORMATION, *_OPEN_BEFORE_ANSWER},
    Status.ACCEPTED: {Move.START, *_OPEN_BEFORE_ANSWER},
    Status.NEEDS_INFORMATION: {Move.START, Move.REJECT, *_OPEN_BEFORE_ANSWER},
    Status.IN_PROGRESS: set(_OPEN_BEFORE_ANSWER),
    # A drafted or approved answer must be returned (or published) first: a transfer would leave it behind.
    Status.AWAITING_APPROVAL: {Move.APPROVE, Move.APPROVE_AND_PUBLISH, Move.RETURN, Move.ASSIGN, Move.NOTE},
    Status.APPROVED: {Move.PUBLISH, Move.RETURN, Move.ASSIGN, Move.NOTE},
    Status.ANSWERED: {Move.CLOSE, Move.ASSIGN, Move.NOTE},
    Status.REJECTED: {Move.NOTE},
    Status.CLOSED: {Move.NOTE},
}

APPROVER_MOVES = {Move.APPROVE, Move.APPROVE_AND_PUBLISH, Move.RETURN}


def state_allows(status: str, move: str) -> bool:
    """Whether a case in `status` allows `move`, whoever asks."""
    return move in MOVES.get(status, set())


def allowed_moves(case: Case, user) -> set[str]:
    """The moves `user` may make on `case` now (the caller has already checked that the user sees the case)."""
    moves = set(MOVES.get(case.status, set()))
    # The provincial inspectorate follows cases and writes internal notes; the unit handles them.
    if getattr(user, "is_inspector", False):
        return moves & {Move.NOTE}
    if not case.can_be_approved_by(user):
        moves -= APPROVER_MOVES
    return moves


def status_choices(moves: set[str]) -> list[tuple[str, str]]:
    """The status form's choices among `moves`, in the table's order."""
    return [(to, label) for move, (to, label) in STATUS_MOVES.items() if move in moves]


def move_to(status_from: str, to: str) -> str | None:
    """The status move from `status_from` that leads to `to`, if the table allows one."""
    for move, (target, _label) in STATUS_MOVES.items():
        if target == to and state_allows(status_from, move):
            return move
    return None
