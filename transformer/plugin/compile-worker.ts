/**
 * A compile worker of the tsc plugin (compile-pool.ts). It takes templates from the end of
 * the build's list (tsc's thread takes them from the front), parses and compiles each, and
 * sends the result back. It runs from its own CommonJS bundle, which holds no TypeScript: a
 * worker that loaded TypeScript would spend longer starting than compiling. A template its
 * parser does not read goes back to tsc's thread, whose TypeScript-based parser reports why.
 */
import { workerData } from "node:worker_threads";
import { compileParsed } from "../compile-parsed.js";
import { parseAccepted } from "../frontend/template-parser.js";
import { CLAIMED, DONE, FREE, cursorCell, type WorkerInput, type WorkerOutput, type WorkerStart } from "./compile-jobs.js";

const { port } = workerData as WorkerStart;

port.once("message", ({ cells: shared, jobs }: WorkerInput) => {
  const cells = new Int32Array(shared);
  const cursor = cursorCell(jobs.length);
  for (let i = Atomics.sub(cells, cursor, 1) - 1; i >= 0; i = Atomics.sub(cells, cursor, 1) - 1) {
    // tsc's thread (or another worker) may have taken this one meanwhile.
    if (Atomics.compareExchange(cells, i, FREE, CLAIMED) !== FREE) continue;
    const job = jobs[i]!;
    let out: WorkerOutput;
    try {
      const template = parseAccepted(job.text);
      out = template ? { index: i, result: compileParsed(job, template) } : { index: i, unread: true };
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
