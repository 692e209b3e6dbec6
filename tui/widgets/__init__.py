"""Widgets both apps share: the kiosk's receipt and the desk draw the same QR code."""
