/**
 * What tsc's thread and the compile workers share (compile-pool.ts, compile-worker.ts): the
 * jobs, the states of their cells in shared memory, and the messages that carry results.
 */
import type { MessagePort } from "node:worker_threads";
import type { CompileResult, TemplateSource } from "../api.js";
import type { ParseResult } from "../frontend/parse.js";

/**
 * One template of the build, with its syntax tree when it parsed cleanly; without one, tsc's
 * thread compiles it whole (workers skip it).
 */
export interface PoolJob {
  readonly source: TemplateSource;
  readonly template?: ParseResult;
}

/** A worker's `workerData`: its port to tsc's thread. */
export interface WorkerStart {
  readonly port: MessagePort;
}

/**
 * Messages to a worker: first `begin`, with the shared cells; then the jobs in chunks, the
 * last ones first (a worker starts from the end while tsc's thread is still parsing the rest).
 */
export type WorkerInput =
  | { readonly kind: "begin"; readonly cells: SharedArrayBuffer; readonly count: number }
  | { readonly kind: "jobs"; readonly from: number; readonly jobs: readonly PoolJob[] };

/** What a worker sends back for one job. */
export type WorkerOutput = { readonly index: number; readonly result: CompileResult } | { readonly index: number; readonly error: string };

/**
 * The shared cells: one per job, in state FREE (nobody's yet), CLAIMED (someone compiles it)
 * or DONE (its result is on a port); after them the cursor workers take jobs from, and how
 * many chunks of jobs have been posted (workers wait on it for jobs not sent yet).
 */
export const FREE = 0;
export const CLAIMED = 1;
export const DONE = 2;
export const cursorCell = (count: number): number => count;
export const postedCell = (count: number): number => count + 1;
