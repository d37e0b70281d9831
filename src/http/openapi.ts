/**
 * The OpenAPI 3.1 description of the HTTP API, served at GET /openapi.json. A test checks that
 * its paths and methods are exactly the routes the router has, so the two cannot drift apart.
 */
import { JOB_SOURCES, JOB_STATUSES } from '../jobs/job.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const time = { type: ['string', 'null'], format: 'date-time' };

const ERRORS = {
  '400': error('a bad parameter or body (the message names it)'),
  '401': error('API_TOKEN is set and the bearer token is missing or wrong'),
};

export function openApiDocument(version: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'video-job-server',
      version,
      description: 'Durable job server for video downloads: SQS and HTTP in, SQLite as the source of truth.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        JobError: {
          type: ['object', 'null'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, retryable: { type: 'boolean' } },
        },
        Job: {
          type: 'object',
          required: ['id', 'type', 'source', 'status', 'attempts', 'maxAttempts', 'createdAt'],
          properties: {
            id: { type: 'string' },
            type: { type: 'string' },
            source: { enum: [...JOB_SOURCES] },
            status: { enum: [...JOB_STATUSES] },
            url: { type: ['string', 'null'] },
            attempts: { type: 'integer' },
            maxAttempts: { type: 'integer' },
            createdAt: time,
            updatedAt: time,
            runAt: time,
            startedAt: time,
            finishedAt: time,
            cancelRequested: { type: 'boolean' },
            progress: {
              type: ['object', 'null'],
              properties: { bytes: { type: 'integer' }, totalBytes: { type: ['integer', 'null'] } },
            },
            result: {
              type: ['object', 'null'],
              properties: {
                file: { type: 'string', description: 'relative to DOWNLOAD_DIR' },
                bytes: { type: 'integer' },
                sha256: { type: 'string' },
                contentType: { type: ['string', 'null'] },
              },
            },
            error: ref('JobError'),
            metadata: { type: 'object' },
          },
        },
        Attempt: {
          type: 'object',
          properties: {
            attempt: { type: 'integer' },
            startedAt: time,
            finishedAt: time,
            outcome: {
              enum: [
                'running',
                'succeeded',
                'retry',
                'failed',
                'cancelled',
                'interrupted',
                'released',
                'lease_expired',
              ],
            },
            error: ref('JobError'),
          },
        },
      },
    },
    security: [{ bearer: [] }, {}],
    paths: {
      '/health': {
        get: {
          summary: 'Liveness with detail: database, scheduler, job counts, SQS poller',
          security: [],
          responses: {
            '200': { description: 'status ok or degraded', content: json({ type: 'object' }) },
            '503': { description: 'the database cannot be read and written', content: json({ type: 'object' }) },
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: { '200': { description: 'text exposition format', content: { 'text/plain': {} } }, ...ERRORS },
        },
      },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: json({}) } } },
      },
      '/jobs': {
        get: {
          summary: 'Job history, newest first, by keyset pagination',
          parameters: [
            {
              name: 'status',
              in: 'query',
              description: 'one or several statuses, comma-separated',
              schema: { type: 'string' },
            },
            { name: 'source', in: 'query', schema: { enum: [...JOB_SOURCES] } },
            { name: 'createdAfter', in: 'query', description: 'ISO-8601 or epoch ms', schema: { type: 'string' } },
            { name: 'createdBefore', in: 'query', description: 'ISO-8601 or epoch ms', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
            { name: 'cursor', in: 'query', description: "the previous page's nextCursor", schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'a page of jobs',
              content: json({
                type: 'object',
                properties: { jobs: { type: 'array', items: ref('Job') }, nextCursor: { type: ['string', 'null'] } },
              }),
            },
            ...ERRORS,
          },
        },
        post: {
          summary: 'Enqueue a download (idempotent on jobId)',
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['url'],
              properties: {
                url: { type: 'string', format: 'uri' },
                jobId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
                metadata: { type: 'object' },
              },
            }),
          },
          responses: {
            '201': { description: 'created', content: json({ type: 'object', properties: { job: ref('Job') } }) },
            '200': { description: 'a job with this id exists; it is returned unchanged', content: json({}) },
            '403': error('no API_TOKEN and the client is not on this machine'),
            '413': error('body over 64 KiB'),
            '415': error('body is not JSON'),
            ...ERRORS,
          },
        },
      },
      '/jobs/stats': {
        get: {
          summary: 'Counts per status, age of the oldest queued job, jobs finished in the last hour',
          responses: { '200': { description: 'statistics', content: json({ type: 'object' }) }, ...ERRORS },
        },
      },
      '/jobs/{id}': {
        get: {
          summary: 'One job with its attempt history',
          parameters: [idParam],
          responses: {
            '200': {
              description: 'the job',
              content: json({
                allOf: [ref('Job'), { properties: { attemptHistory: { type: 'array', items: ref('Attempt') } } }],
              }),
            },
            '404': error('no such job'),
            ...ERRORS,
          },
        },
      },
      '/jobs/{id}/retry': {
        post: {
          summary: 'Requeue a failed or cancelled job (attempts reset, history kept)',
          parameters: [idParam],
          responses: {
            '202': { description: 'queued again', content: json({}) },
            '404': error('no such job'),
            '409': error('the job is not failed or cancelled (the message names its status)'),
            ...ERRORS,
          },
        },
      },
      '/jobs/{id}/cancel': {
        post: {
          summary: 'Cancel a queued job, or abort a running one',
          parameters: [idParam],
          responses: {
            '202': { description: 'cancelled, or cancel requested for a running job', content: json({}) },
            '404': error('no such job'),
            '409': error('the job has finished'),
            ...ERRORS,
          },
        },
      },
    },
  };
}
