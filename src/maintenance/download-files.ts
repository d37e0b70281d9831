/**
 * Housekeeping of DOWNLOAD_DIR, one folder per job id:
 *  - a `.part` file (and its resume sidecar) whose job is finished or gone is an orphan (a
 *    crash between the job's end and its clean-up): removed. Jobs still queued or running keep
 *    theirs, to resume.
 *  - with DOWNLOAD_RETENTION_DAYS set, the folder of a job that finished (or was pruned) longer
 *    ago than that is removed. Without it, downloaded files are never deleted here.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../db/connection.js';
import { STATE_FILE } from '../download/part-state.js';
import { JOB_ID_PATTERN } from '../jobs/job-request.js';
import { finishedAtOf } from '../jobs/store/index.js';

export interface FileSweepResult {
  partsRemoved: number;
  foldersRemoved: number;
}

const LOOKUP_BATCH = 500;

async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function sweepDownloads(
  db: Db,
  downloadDir: string,
  { now, retentionMs }: { now: number; retentionMs: number | undefined },
): Promise<FileSweepResult> {
  const result: FileSweepResult = { partsRemoved: 0, foldersRemoved: 0 };
  // Only names that can be job ids: anything else in the folder is not ours to touch.
  const folders = (await listDirectory(downloadDir)).filter((name) => JOB_ID_PATTERN.test(name));
  for (let i = 0; i < folders.length; i += LOOKUP_BATCH) {
    const batch = folders.slice(i, i + LOOKUP_BATCH);
    const finished = await finishedAtOf(db, batch);
    for (const id of batch) {
      const known = finished.has(id);
      const finishedAt = finished.get(id) ?? null;
      const inProgress = known && finishedAt === null;
      if (inProgress) continue;
      const folder = join(downloadDir, id);
      const expired = retentionMs !== undefined && (!known || (finishedAt !== null && finishedAt < now - retentionMs));
      if (expired) {
        await rm(folder, { recursive: true, force: true });
        result.foldersRemoved++;
        continue;
      }
      for (const file of await listDirectory(folder)) {
        // The resume sidecar goes with its part: nothing will resume a finished job.
        if (file === STATE_FILE || file.startsWith(`${STATE_FILE}.`)) {
          await rm(join(folder, file), { force: true });
          continue;
        }
        if (!file.endsWith('.part')) continue;
        await rm(join(folder, file), { force: true });
        result.partsRemoved++;
      }
    }
  }
  return result;
}
