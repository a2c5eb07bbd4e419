/**
 * What tsc's thread and the compile workers share (compile-pool.ts, compile-worker.ts): the
 * jobs, the states of their cells in shared memory, and the messages that carry results.
 */
import type { MessagePort } from "node:worker_threads";
import type { CompileResult, TemplateSource } from "../api.js";

/** A worker's `workerData`: its port to tsc's thread. */
export interface WorkerStart {
  readonly port: MessagePort;
}

/** The one message to a worker: the build's templates, in tsc's order, and the shared cells. */
export interface WorkerInput {
  readonly cells: SharedArrayBuffer;
  readonly jobs: readonly TemplateSource[];
}

/**
 * What a worker sends back for one job: the result; or `unread`, a template outside the
 * syntax the worker's parser reads (frontend/template-parser.ts), which tsc's thread then
 * compiles with TypeScript's parser to report it; or the error a compiler bug threw.
 */
export type WorkerOutput =
  | { readonly index: number; readonly result: CompileResult }
  | { readonly index: number; readonly unread: true }
  | { readonly index: number; readonly error: string };

/**
 * The shared cells: one per job, in state FREE (nobody's yet), CLAIMED (someone compiles it)
 * or DONE (its output is on a port); after them the cursor workers take jobs from.
 */
export const FREE = 0;
export const CLAIMED = 1;
export const DONE = 2;
export const cursorCell = (count: number): number => count;
