"""moto's standalone S3 server with its buckets made before it listens (scripts/services.sh start s3).

moto keeps everything in memory, so a restarted server has no buckets. Made over HTTP after the
port opens, a bucket is missing for the half second that takes, and a client writing just then
gets NoSuchBucket, which hitl rightly treats as permanent (seen in the S3-outage story).
Usage: python scripts/moto_s3.py PORT BUCKET...
"""

import sys

from moto.core import DEFAULT_ACCOUNT_ID
from moto.s3.models import s3_backends
from moto.server import main

port, buckets = sys.argv[1], sys.argv[2:]
for bucket in buckets:
    s3_backends[DEFAULT_ACCOUNT_ID]["aws"].create_bucket(bucket, "us-east-1")
main(["-H", "127.0.0.1", "-p", port])
