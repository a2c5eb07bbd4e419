/**
 * Compiling a build's templates on more than one core. A tsc build hands the plugin its files
 * one at a time and waits for each, so on its own thread the templates compile one after
 * another. When a build has many to compile, every template is found up front (the part that
 * needs the type checker) and sent to worker threads, which parse and compile them from the
 * end of the list while tsc's thread takes them from the front, as it reaches them. Each
 * template is compiled exactly once, by whichever thread claims it first, so the results are
 * the same as compiling all of them on one thread.
 *
 * Claims and completions are cells of a SharedArrayBuffer; results travel over a MessagePort
 * that tsc's thread reads synchronously (transformers cannot wait for events).
 */
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { CompileResult, TemplateSource } from "../api.js";
import { CLAIMED, DONE, FREE, cursorCell, type WorkerInput, type WorkerOutput } from "./compile-jobs.js";
import { countWorkerCompile, countWorkers } from "./trace.js";

/**
 * Fewer templates than this compile on tsc's thread alone: a worker takes ~40 ms to start
 * and load the compiler, about what 15 small templates take to compile cold.
 */
export const MIN_PARALLEL_JOBS = 16;

/** How long tsc's thread waits for a worker's job before compiling it itself (a stuck worker). */
const STALL_MS = 30_000;

/** Worker threads to start: `WHISTLER_JOBS` (threads in all, tsc's included), else one per spare core, at most 3. */
export function workerCount(jobs: number, env: NodeJS.ProcessEnv = process.env): number {
  if (jobs < MIN_PARALLEL_JOBS) return 0;
  const asked = env.WHISTLER_JOBS === undefined ? NaN : Number(env.WHISTLER_JOBS);
  const threads = Number.isInteger(asked) && asked >= 1 ? asked : Math.min(availableParallelism(), 4);
  return Math.max(0, Math.min(threads - 1, Math.floor(jobs / MIN_PARALLEL_JOBS)));
}

/**
 * Owns its worker threads and their ports: disposing terminates the workers (also done once
 * every job's result has been taken); a job a terminated worker had claimed compiles here.
 */
export class CompilePool implements Disposable {
  private cells: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** One port per worker: jobs go out on it, results come back. */
  private readonly ports: MessagePort[] = [];
  private readonly index = new Map<TemplateSource, number>();
  private readonly arrived = new Map<number, WorkerOutput>();
  private readonly workers: Worker[] = [];
  /** Results that came from workers. */
  private fromWorkers = 0;
  /** Jobs handed out, and results taken by `compile`. */
  private expected = 0;
  private taken = 0;
  private disposed = false;

  /**
   * Compiles a job on this thread: the jobs it claims first, any a worker's parser did not
   * read, and any whose worker failed.
   */
  private compileHere: (source: TemplateSource) => CompileResult = () => {
    throw new Error("internal: compile pool used before begin()");
  };

  /**
   * Starts `workers` threads, which load the compiler while this thread finds the templates;
   * `begin` then gives them the jobs. `script` is the worker's bundle (the
   * one `npm run build` writes beside the compiler's).
   */
  constructor(workers: number, script: string = fileURLToPath(new URL("../compile-worker.bundle.cjs", import.meta.url))) {
    for (let w = 0; w < workers; w++) {
      const { port1, port2 } = new MessageChannel();
      let worker: Worker;
      try {
        worker = new Worker(script, { workerData: { port: port2 }, transferList: [port2], stdout: true, stderr: true });
      } catch {
        // No thread to be had (a resource limit): this thread compiles everything, as without a pool.
        port1.close();
        break;
      }
      this.ports.push(port1);
      this.workers.push(worker);
      // A worker never keeps tsc running, and a failed one only leaves its jobs to this thread.
      worker.unref();
      worker.on("error", () => undefined);
    }
    countWorkers(this.ports.length);
  }

  /**
   * A build's jobs, in the order tsc's thread will want them (it takes them from the front;
   * workers from the end), and how to compile one on this thread.
   */
  begin(jobs: readonly TemplateSource[], compileHere: (source: TemplateSource) => CompileResult): void {
    this.compileHere = compileHere;
    const cells = new SharedArrayBuffer(4 * (jobs.length + 1));
    this.cells = new Int32Array(cells);
    this.cells[cursorCell(jobs.length)] = jobs.length;
    jobs.forEach((j, k) => this.index.set(j, k));
    this.expected = jobs.length;
    const begin: WorkerInput = { cells, jobs };
    for (const port of this.ports) port.postMessage(begin);
  }

  /** The result for `source`: compiled here if no worker has claimed it, else the worker's. */
  compile(source: TemplateSource): CompileResult | undefined {
    const i = this.index.get(source);
    if (i === undefined) return undefined;
    const result = this.resultOf(i, source);
    if (++this.taken === this.expected) this[Symbol.dispose]();
    return result;
  }

  private resultOf(i: number, source: TemplateSource): CompileResult {
    if (this.disposed || Atomics.compareExchange(this.cells, i, FREE, CLAIMED) === FREE) return this.compileHere(source);
    const out = this.fromWorker(i);
    if (out && "result" in out) {
      this.fromWorkers++;
      countWorkerCompile();
      return out.result;
    }
    // Not read by the worker's parser, or the worker threw (a compiler bug) or stalled:
    // compiling here reports it as a build would.
    return this.compileHere(source);
  }

  [Symbol.dispose](): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
  }

  /** How many results so far came from worker threads. */
  get workerResults(): number {
    return this.fromWorkers;
  }

  /** Waits for job `i`, which a worker claimed, and takes its result off the ports. */
  private fromWorker(i: number): WorkerOutput | undefined {
    const deadline = Date.now() + STALL_MS;
    while (Atomics.load(this.cells, i) !== DONE) {
      if (Date.now() > deadline) return undefined;
      Atomics.wait(this.cells, i, CLAIMED, 100);
    }
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        const out = m.message as WorkerOutput;
        this.arrived.set(out.index, out);
      }
    }
    const out = this.arrived.get(i);
    this.arrived.delete(i);
    return out;
  }
}
