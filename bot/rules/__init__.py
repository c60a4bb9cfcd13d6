"""Pure deadline rules: working days, transitions, cadences. No Telegram, no database."""
