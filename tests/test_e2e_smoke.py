async def test_unregistered_user_gets_one_short_answer(bot):
    stranger = bot.chat(name="Ola")
    replies = await stranger.send("/start")
    assert len(replies) == 1
    assert "registrerte koordinatorer" in replies[0]
