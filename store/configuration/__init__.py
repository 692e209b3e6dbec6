"""Configuration management (FITS): the asset register, each device's history, spares on
loan, stock-take against an inventory, label sheets, and the software library with its
builds and licence seats.

Stands on `store.db`, `store.school` and `store.records`.
"""
