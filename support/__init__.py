"""Tickets: intake, the thread, the life cycle; portal, queue, API and mail channel."""
