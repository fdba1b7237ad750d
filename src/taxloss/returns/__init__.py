"""The return's arithmetic on rounded figures (house style §1): what-if computations such as
the loss-harvest view (``returns.harvest``). The Schedule D and carryover arithmetic itself
still lives in ``render.offset`` and ``render.loss_offset`` (to move here); modules here import
it from there and never re-implement it.
Imports only ``model``, ``money``, ``errors`` and that arithmetic; no engine, parsers or CLI.
"""
