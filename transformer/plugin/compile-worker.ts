/**
 * A compile worker of the tsc plugin (compile-pool.ts). It takes templates from the end of
 * the build's list (tsc's thread takes them from the front), parses and compiles each, and
 * sends the result back. It runs from its own CommonJS bundle, which holds no TypeScript: a
 * worker that loaded TypeScript would spend longer starting than compiling. A template its
 * parser does not read goes back to tsc's thread, whose TypeScript-based parser reports why.
 */
import { receiveMessageOnPort, workerData } from "node:worker_threads";
import type { TemplateSource } from "../api.js";
import { compileParsed } from "../compile-parsed.js";
import { parseAccepted } from "../frontend/template-parser.js";
import { CLAIMED, DONE, FREE, cursorCell, postedCell, type WorkerInput, type WorkerOutput, type WorkerStart } from "./compile-jobs.js";

const { port } = workerData as WorkerStart;

port.once("message", (begin: WorkerInput) => {
  if (begin.kind !== "begin") throw new Error("internal: compile worker started without its cells");
  const cells = new Int32Array(begin.cells);
  const { count } = begin;
  const jobs: (TemplateSource | undefined)[] = new Array<TemplateSource | undefined>(count);
  let posted = 0;
  /** Reads the chunks that have arrived; false when none had. */
  const receive = (): boolean => {
    let got = false;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const chunk = m.message as WorkerInput;
      if (chunk.kind !== "jobs") continue;
      chunk.jobs.forEach((j, k) => (jobs[chunk.from + k] = j));
      posted++;
      got = true;
    }
    return got;
  };
  for (let i = Atomics.sub(cells, cursorCell(count), 1) - 1; i >= 0; i = Atomics.sub(cells, cursorCell(count), 1) - 1) {
    // Not yet sent: wait for the next chunk, unless tsc's thread takes this one meanwhile.
    while (jobs[i] === undefined && Atomics.load(cells, i) === FREE) {
      if (!receive()) Atomics.wait(cells, postedCell(count), posted, 50);
    }
    const job = jobs[i];
    if (!job || Atomics.compareExchange(cells, i, FREE, CLAIMED) !== FREE) continue;
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
