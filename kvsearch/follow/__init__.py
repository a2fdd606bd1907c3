"""Following a topic and the clock: saved searches (watches), overdue questions, answer delays.

Everything here reads the index through the public API (:func:`kvsearch.search`), never
Whoosh, and works on the index as it is: no field is added for it.
"""
