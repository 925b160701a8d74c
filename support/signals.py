"""Signals `support` sends so later packages (sla, reviews, kb) can react without being imported here.

Each is sent by `support.services` inside the caller's transaction, with the ticket as sender.
Receivers must not commit; they may add rows, which commit or roll back with the change itself.
"""

from blinker import Namespace

_signals = Namespace()

#: sender=ticket, now=datetime. A ticket was created (any channel).
ticket_opened = _signals.signal("ticket-opened")
#: sender=ticket, old=str, new=str, actor=User|None, now=datetime.
status_changed = _signals.signal("status-changed")
#: sender=ticket, message=Message, now=datetime. A public message (staff reply or customer message).
#: opening=True when it is the message a new ticket was opened with (sent right after ticket_opened).
reply_added = _signals.signal("reply-added")
#: sender=ticket, message=Message, now=datetime. An internal staff note.
note_added = _signals.signal("note-added")
#: sender=ticket, field=str, old=value, new=value, actor=User|None, now=datetime.
#: Priority, kind, assignee, product, component, subject.
ticket_changed = _signals.signal("ticket-changed")
#: sender=source ticket, target=Ticket, actor=User|None, now=datetime.
ticket_merged = _signals.signal("ticket-merged")
