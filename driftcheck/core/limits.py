"""How deep driftcheck follows nested data: every depth limit, named once, with its reason.

A limit here turns data nested past it into a one-line error instead of a RecursionError
or a path too long to print; each number says which stack or parser it protects.
"""

from __future__ import annotations

# orjson's own limit (it refuses a 1025th level): a body deeper than this cannot be parsed.
MAX_JSON_DEPTH = 1024

# Shape walks are iterative, so this only keeps paths printable: every parsed body fits.
MAX_SHAPE_DEPTH = MAX_JSON_DEPTH

# Fixtures are walked with stacks; this keeps every fixture read well inside
# MAX_SHAPE_DEPTH, so a fixture that is read is one the checks can walk and print.
MAX_FIXTURE_DEPTH = 500

# The ast walk takes two frames per level, and Python's tokenizer stops at 200 brackets.
MAX_MOCK_DEPTH = 200

# libyaml's composer (C, in PyYAML's CParser) recurses once per level and kills the process
# on a C stack overflow (about 30,000 levels); nothing deeper than a JSON body is needed.
# Aliases count: a node reached through `*name` is as deep as where it is used.
MAX_YAML_DEPTH = MAX_JSON_DEPTH

# A mock payload's names may refer to each other (`B = {"x": A, "y": A}`): 40 such lines
# expand to 2**40 values. Like the YAML fixture reader's cap (1,000,000), a payload that
# expands past this is not read as data; lower, because each value is an ast step (about
# 5 µs, so half a second per payload at most), and hand-written payloads are far smaller.
MAX_MOCK_VALUES = 100_000
