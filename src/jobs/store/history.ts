/**
 * History pages, newest first, by keyset on (created_at, seq): page 1,000 costs what page 1
 * costs. Several statuses are read as one index seek each and merged, which stays cheap at any
 * depth where `status IN (…)` would make SQLite sort every matching row.
 */
import type { Db } from '../../db/connection.js';
import { JOB_STATUSES, type Job, type JobSource, type JobStatus, rowToJob } from '../job.js';
import { JOB_JSON } from './job-json.js';

/** Position in the history: the last row of the previous page. */
export interface HistoryCursor {
  createdAt: number;
  seq: number;
}

export interface ListFilter {
  statuses?: readonly JobStatus[];
  source?: JobSource;
  createdAfter?: number;
  createdBefore?: number;
  limit: number;
  after?: HistoryCursor;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next page; undefined on the last page. */
  next: HistoryCursor | undefined;
}

type Positioned = { created_at: number; seq: number };

function pageQuery(db: Db, filter: ListFilter, status: JobStatus | undefined) {
  const { after, source, createdAfter, createdBefore } = filter;
  return db
    .selectFrom('jobs')
    .$if(status !== undefined, (q) => q.where('status', '=', status as JobStatus))
    .$if(source !== undefined, (q) => q.where('source', '=', source as JobSource))
    .$if(createdAfter !== undefined, (q) => q.where('created_at', '>=', createdAfter as number))
    .$if(createdBefore !== undefined, (q) => q.where('created_at', '<', createdBefore as number))
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb(
          eb.refTuple('created_at', 'seq'),
          '<',
          eb.tuple((after as HistoryCursor).createdAt, (after as HistoryCursor).seq),
        ),
      ),
    )
    .orderBy('created_at', 'desc')
    .orderBy('seq', 'desc')
    .limit(filter.limit + 1);
}

async function page<R extends Positioned, T>(
  filter: ListFilter,
  readOne: (status: JobStatus | undefined) => Promise<R[]>,
  map: (row: R) => T,
): Promise<Page<T>> {
  const statuses = filter.statuses && filter.statuses.length < JOB_STATUSES.length ? filter.statuses : undefined;
  const parts = statuses ? await Promise.all([...new Set(statuses)].map(readOne)) : [await readOne(undefined)];
  const merged = parts.flat().sort((a, b) => b.created_at - a.created_at || b.seq - a.seq);
  const rows = merged.slice(0, filter.limit);
  const last = rows.at(-1);
  const next = merged.length > filter.limit && last ? { createdAt: last.created_at, seq: last.seq } : undefined;
  return { items: rows.map(map), next };
}

/** A page of jobs as objects. */
export function listJobs(db: Db, filter: ListFilter): Promise<Page<Job>> {
  return page(filter, (status) => pageQuery(db, filter, status).selectAll().execute(), rowToJob);
}

/** A page of jobs as the API's JSON text (see job-json.ts). */
export function listJobsJson(db: Db, filter: ListFilter): Promise<Page<string>> {
  return page(
    filter,
    (status) =>
      pageQuery(db, filter, status)
        .select(['created_at', 'seq', JOB_JSON.as('json')])
        .execute(),
    (row) => row.json,
  );
}
