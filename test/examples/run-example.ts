/**
 * Running the example tools as a user does: built once with tspc from examples/tsconfig.json
 * (`npm run build:examples`), then started as `node examples/out/<name>/main.js ...` while the
 * test makes the traffic they watch.
 */
import { execFileSync, spawn } from "node:child_process";
import * as path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
const tspc = path.join(root, "node_modules/ts-patch/bin/tspc.js");

let built = false;

/** Compile every example (their templates through the transformer) once per test file. */
export function buildExamples(): void {
  if (built) return;
  execFileSync(process.execPath, [tspc, "-p", path.join(root, "examples/tsconfig.json")], { cwd: root, stdio: "pipe" });
  built = true;
}

export interface ExampleRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Started {
  /** Resolves when the tool printed its first line (its programs are attached by then). */
  readonly ready: Promise<void>;
  readonly done: Promise<ExampleRun>;
  kill(sig: NodeJS.Signals): void;
}

export function startExample(name: string, args: readonly string[]): Started {
  const child = spawn(process.execPath, [path.join(root, "examples/out", name, "main.js"), ...args], {
    cwd: root, env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); markReady(); });
  child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); markReady(); });
  const done = new Promise<ExampleRun>((resolve) => child.on("close", (code) => { markReady(); resolve({ code, stdout, stderr }); }));
  return { ready, done, kill: (sig) => child.kill(sig) };
}

/** The JSON object a tool printed last under --json. */
export function lastJson<T>(r: ExampleRun): T {
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
