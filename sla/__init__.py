"""Service levels: business calendars, policies and clocks (built by the SLA issue)."""
