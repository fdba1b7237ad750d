"""The return's arithmetic on rounded figures: what goes on the forms, computed once.

Modules here turn a ``Report``'s exact amounts into the figures a return shows (Form 8949
columns tied to Forms 1099-DA, Schedule D lines, carryovers) so that every renderer prints
the same numbers. Imports only ``taxloss.model``, ``taxloss.money`` and ``taxloss.errors``.
"""
