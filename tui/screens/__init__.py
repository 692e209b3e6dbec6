"""The desk's screens, in packages named after the store's areas they show (servicedesk,
problems, changes, configuration, mail, school); the pieces they share and help here."""
