"""The school's own screens: the security audit of refused actions, for a manager
(store.school.audit), and the kiosks with their report ceilings (store.school.kiosks)."""
