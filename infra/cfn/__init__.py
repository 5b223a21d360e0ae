"""Builders of the deployment template that `chalice package --merge-template` merges in.

Why: Chalice generates the functions, the REST API and one role per function, but not the
tables, queues, stream-mapping settings, alarms or dashboard, and its stream decorator knows
no partial-failure settings. Each module here returns one fragment of a CloudFormation
template with one job; `stack.py` lists the fragments of each stage and `infra/package.py`
writes the merge template and runs Chalice. To add a resource (say a bucket), write a
fragment function and add it to the stage's list in `stack.py`.
"""
