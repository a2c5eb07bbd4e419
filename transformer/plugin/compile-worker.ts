/**
 * A compile worker of the tsc plugin (compile-pool.ts). It takes jobs from the end of the
 * build's list (tsc's thread takes them from the front), compiles each syntax tree, and sends
 * the result back. It runs from its own CommonJS bundle, which holds no TypeScript: a worker
 * that loaded TypeScript would spend longer starting than compiling.
 */
import { workerData } from "node:worker_threads";
import { compileParsed } from "../compile-parsed.js";
import { CLAIMED, FREE, DONE, type WorkerInput, type WorkerOutput, type WorkerStart } from "./compile-jobs.js";

const { port } = workerData as WorkerStart;

port.once("message", ({ cells: buffer, jobs }: WorkerInput) => {
  const cells = new Int32Array(buffer);
  const cursor = jobs.length;
  for (let i = Atomics.sub(cells, cursor, 1) - 1; i >= 0; i = Atomics.sub(cells, cursor, 1) - 1) {
    if (Atomics.compareExchange(cells, i, FREE, CLAIMED) !== FREE) continue;
    const job = jobs[i]!;
    let out: WorkerOutput;
    try {
      out = { index: i, result: compileParsed(job.source, job.template) };
    } catch (e) {
      out = { index: i, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    // The result is queued before the cell says DONE: tsc's thread reads it right after.
    port.postMessage(out);
    Atomics.store(cells, i, DONE);
    Atomics.notify(cells, i);
  }
  port.close();
});
