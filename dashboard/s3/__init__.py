"""The campaign folder on S3-compatible object storage (`--data s3://bucket/prefix`).

A mirror, not a second engine: the bucket's objects are copied into a folder that thidua owns
(mirror.py), and the local engine runs on that folder unchanged, so the same rules give the same
answers. A poll thread re-lists the bucket (poller.py); when the bucket cannot be reached the
mirror keeps its last good copy and the snapshots say so (stale banner) until a poll succeeds.
Nothing here writes to the bucket: `import` alone puts one new object (importing/).
"""
