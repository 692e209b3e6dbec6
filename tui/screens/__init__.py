"""The desk's screens: the queue, one call, a device, notices, logging a call, help."""
