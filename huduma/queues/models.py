"""Queue management: visits, tickets, dispatch (issue 3)."""
