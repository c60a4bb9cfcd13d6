"""Guided dialogues: definitions as data (messages/), step kinds, the engine that moves
through them, and the conversation service the chat edge (and later a web form) calls.

    definitions  load and check the YAML definitions (roles, kinds)
    kinds        one class per step kind, in one registry
    engine       positions and navigation through a definition
    cursor       where a run stands (typed, stored on the run)
    service      start / answer / back / skip / pause / resume / finish
    review       summary, corrections, the list of runs
    outputs      deadlines and meetings that answers leave behind
    outcomes     the plain values the service answers with
"""
