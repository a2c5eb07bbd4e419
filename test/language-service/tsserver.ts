/**
 * A real tsserver process driven over its stdio protocol: JSON requests in, Content-Length
 * framed JSON responses and events out. Tests talk to it the way an editor does.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const TSSERVER = path.join(root, "node_modules/typescript/lib/tsserver.js");

export interface Location {
  readonly line: number;
  readonly offset: number;
}

interface Response {
  readonly type: "response";
  readonly request_seq: number;
  readonly success: boolean;
  readonly message?: string;
  readonly body?: unknown;
}

export class TsServer {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, (r: Response) => void>();
  readonly logFile: string;
  #buf = Buffer.alloc(0);
  #seq = 0;
  #stderr = "";

  /** `env` adds variables to the server's environment (e.g. WHISTLER_KERNEL_BTF). */
  constructor(logFile: string, env: Readonly<Record<string, string>> = {}) {
    this.logFile = logFile;
    this.#proc = spawn(process.execPath, [TSSERVER, "--disableAutomaticTypingAcquisition", "--logVerbosity", "normal", "--logFile", logFile], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.#proc.stdout.on("data", (d: Buffer) => this.#read(d));
    this.#proc.stderr.on("data", (d: Buffer) => { this.#stderr += d.toString(); });
  }

  #read(chunk: Buffer): void {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const headerEnd = this.#buf.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const m = /Content-Length: (\d+)/.exec(this.#buf.subarray(0, headerEnd).toString());
      if (!m) throw new Error(`tsserver: bad frame header ${this.#buf.subarray(0, headerEnd).toString()}`);
      const bodyStart = headerEnd + 4;
      const bodyEnd = bodyStart + Number(m[1]);
      if (this.#buf.length < bodyEnd) return;
      const msg = JSON.parse(this.#buf.subarray(bodyStart, bodyEnd).toString()) as { type: string } & Partial<Response>;
      this.#buf = this.#buf.subarray(bodyEnd);
      if (msg.type === "response" && msg.request_seq !== undefined) {
        this.#pending.get(msg.request_seq)?.(msg as Response);
        this.#pending.delete(msg.request_seq);
      }
    }
  }

  /** Sends a request; commands without a response (open, change) resolve at once. */
  send(command: string, args: object): void {
    this.#proc.stdin.write(`${JSON.stringify({ seq: ++this.#seq, type: "request", command, arguments: args })}\n`);
  }

  request<T>(command: string, args: object): Promise<T> {
    const seq = ++this.#seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tsserver: no response to ${command} in 30 s; stderr: ${this.#stderr}`)), 30_000);
      this.#pending.set(seq, (r) => {
        clearTimeout(timer);
        if (r.success) resolve(r.body as T);
        else reject(new Error(`tsserver ${command} failed: ${r.message}`));
      });
      this.#proc.stdin.write(`${JSON.stringify({ seq, type: "request", command, arguments: args })}\n`);
    });
  }

  /** Lines of the server log mentioning the plugin. */
  pluginLog(): string[] {
    return readFileSync(this.logFile, "utf8").split("\n").filter((l) => l.includes("whistler-ts:"));
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#proc.once("exit", () => resolve()));
    this.send("exit", {});
    this.#proc.stdin.end();
    const timer = setTimeout(() => this.#proc.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** 1-based line and offset of the `nth` occurrence of `needle` in `text`, plus `delta` chars. */
export function locate(text: string, needle: string, delta = 0, nth = 1): Location {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (occurrence ${nth}) not in text`);
  }
  const pos = at + delta;
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  return { line, offset: pos - before.lastIndexOf("\n") };
}
