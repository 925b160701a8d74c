"""The kernel: extensions, database base, configuration, accounts, jobs and error handling."""
