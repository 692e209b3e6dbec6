"""The asset register's screens: the register of devices, loans, software and
licences, and one device with its history (store.configuration)."""
