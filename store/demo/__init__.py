"""A believable secondary school's worth of records for trying FITS Desk and for the
benchmarks: `demo.fill` with its parts (`school`'s names and rooms, `register`,
`problems`, `changes`, `mail`). Stands on every area; nothing imports it but the
command line and the benchmarks.
"""
