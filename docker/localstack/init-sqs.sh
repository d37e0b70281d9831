#!/bin/bash
# LocalStack "ready" hook: mounted into /etc/localstack/init/ready.d/ by docker-compose.yml and
# run once LocalStack accepts requests. Creates the queue the app polls
# (SQS_QUEUE_URL=http://localstack:4566/000000000000/video-pipeline-jobs). create-queue is
# idempotent, so a restart of the container is harmless.
set -euo pipefail

QUEUE_NAME="${QUEUE_NAME:-video-pipeline-jobs}"

awslocal sqs create-queue --queue-name "${QUEUE_NAME}" >/dev/null
echo "init-sqs: queue ${QUEUE_NAME} ready at $(awslocal sqs get-queue-url --queue-name "${QUEUE_NAME}" --output text)"
