"""The service desk's screens: the queue of calls, one call, logging a call, and the
notices the kiosks show."""
