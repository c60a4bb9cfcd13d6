"""The composition root: builds the Application, wires every layer and runs the bot
(Telegram mode, local mode, the command line). Nothing else imports this package."""
