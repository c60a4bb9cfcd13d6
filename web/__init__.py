"""The web form: the second edge of the conversation service, next to the Telegram
edge in `handlers/`. Koordinatorer open it from the chat as a Telegram Mini App and
write free text there, so every word about a person goes from the phone straight to
the municipality's own server (KOORDBOT_FREE_TEXT=form). Like the Telegram edge it is
thin: check who is asking, call one service function, render one template from
`messages/nb/templates/web/`."""
