"""Problem management (FITS): the root cause behind recurring calls, known errors with
their workarounds (shown at the kiosks when public), trends in the calls, and capacity:
readings of disks and quotas with a forecast of when each fills up.

Stands on the areas below it: db, school, records, configuration.
"""
