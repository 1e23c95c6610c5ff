"""Experiments: experiment files, seeds, tasks, executors, the runner and the results store.

Owns the seeds contract (one master seed, ``SeedSequence(master, spawn_key=(k,))`` per
replication, common random numbers across variants) and writes the results contract: a folder of
Parquet parts and a manifest that a run can resume (ARCHITECTURE.md sections 4 and 5).
"""
