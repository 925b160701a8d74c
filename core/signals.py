"""Signals `core` sends so later packages can react to account changes without being imported here.

Sent inside the caller's transaction; receivers must not commit.
"""

from blinker import Namespace

_signals = Namespace()

#: sender=organisation, field=str, old=value, new=value. An organisation's setting changed (e.g. its
#: tier, which picks the SLA policy of its tickets).
organisation_changed = _signals.signal("organisation-changed")
