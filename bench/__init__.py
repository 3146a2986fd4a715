"""`make bench`: fieldops measured against the ceilings of the machine it runs on.

Every system figure is printed beside a ceiling measured in the same run, because this
machine is shared and noisy (perf-notes.md: 1,988 vs 3,185 tps for the same test).
"""
