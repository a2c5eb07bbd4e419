/**
 * What tsc's thread and the compile workers share (compile-pool.ts, compile-worker.ts): the
 * jobs, the states of their cells in shared memory, and the messages that carry results.
 */
import type { MessagePort } from "node:worker_threads";
import type { CompileResult, TemplateSource } from "../api.js";
import type { ParseResult } from "../frontend/parse.js";

/** One template, parsed: what a worker compiles. */
export interface PoolJob {
  readonly source: TemplateSource;
  readonly template: ParseResult;
}

/** A worker's `workerData`: its port to tsc's thread. */
export interface WorkerStart {
  readonly port: MessagePort;
}

/** The one message a worker gets on its port: the build's jobs. */
export interface WorkerInput {
  /** One cell per job (FREE, CLAIMED, DONE), then the cursor workers take jobs from. */
  readonly cells: SharedArrayBuffer;
  readonly jobs: readonly PoolJob[];
}

/** What a worker sends back for one job. */
export type WorkerOutput = { readonly index: number; readonly result: CompileResult } | { readonly index: number; readonly error: string };

/** Cell states: nobody's yet, someone compiles it, its result is on a port. */
export const FREE = 0;
export const CLAIMED = 1;
export const DONE = 2;
