"""The kiosk's screens: home, the five report steps and review, receipt, check, PIN."""
