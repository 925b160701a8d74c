"""Pages of the sla package: admin settings, the compliance report, a ticket's SLA explained."""
