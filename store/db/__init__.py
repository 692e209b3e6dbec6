"""The foundation every area stands on: the connection, the tables, the settings, the
journal and the rules for people's text.

`database` opens SQLite or PostgreSQL and runs `migrations`; `models` are the tables;
`config` reads the TOML settings (`mail_settings` its [mail] table); `journal` records
every change with who made it (`identity`: the operating system's account); `errors`
are the refusals every command turns into one sentence; `faults` words storage
faults, `logs` keeps the details, `files` shares a SQLite file with its group;
`sanitise` cleans text; `numbers` makes log numbers and check codes; `spreadsheets`
reads and writes the CSV files imports and exports use. Imports nothing from the
areas above it (docs/architecture.md).
"""
