"""The sprints app's screens, one module each: board, results, session, report."""
