/**
 * Errors of the run-time layer and the loader.
 *
 * Every failure the user can cause or meet (missing privileges, a verifier rejection, a
 * malformed object file, a missing tracepoint) ends in a `WhistlerError` subclass whose
 * message says what happened and what to do. Lower layers wrap their cause (`cause`) and
 * higher layers prefix the step (`map counts: ...`), so the chain reads top-down.
 */
import { constants } from "node:os";

export interface WhistlerErrorOptions {
  cause?: unknown;
  /** What to do about it, printed on its own line after the message. */
  hint?: string;
}

export class WhistlerError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, opts: WhistlerErrorOptions = {}) {
    super(opts.hint ? `${message}\n  hint: ${opts.hint.replace(/\n/g, "\n        ")}` : message,
      opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
  }
}

/** A feature this kernel or this version of the loader does not support. */
export class NotSupportedError extends WhistlerError {}

// errno numbers -> names, from Node's table for this platform; ENOTSUPP is kernel-internal
// (524) but leaks out of bpf(2) for unsupported program/attach combinations.
const ERRNO_NAMES: ReadonlyMap<number, string> = (() => {
  const m = new Map<number, string>();
  for (const [name, num] of Object.entries(constants.errno)) if (!m.has(num)) m.set(num, name);
  m.set(524, "ENOTSUPP");
  return m;
})();

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EPERM: "operation not permitted",
  ENOENT: "no such file or entry",
  E2BIG: "argument too big",
  EBADF: "bad file descriptor",
  EAGAIN: "resource temporarily unavailable",
  ENOMEM: "out of memory",
  EACCES: "permission denied",
  EFAULT: "bad address",
  EBUSY: "device or resource busy",
  EEXIST: "already exists",
  ENODEV: "no such device",
  EINVAL: "invalid argument",
  ENOSPC: "no space left",
  ENOSYS: "function not implemented",
  EOPNOTSUPP: "operation not supported",
  ENOTSUPP: "operation not supported",
  ERANGE: "result out of range",
};

/** Capabilities a bpf(2) caller may lack. */
export type Capability = "CAP_BPF" | "CAP_PERFMON" | "CAP_NET_ADMIN" | "CAP_SYS_ADMIN";

export const SETCAP_LINE = `sudo setcap cap_bpf,cap_perfmon,cap_net_admin+ep "$(readlink -f "$(command -v node)")"`;

/** Hint for EPERM: name the missing capability and how to grant it. */
export function capabilityHint(caps: readonly Capability[]): string {
  return `the process lacks ${caps.join(" and ")} (or runs in a user namespace without them); ` +
    `run as root, or grant the capabilities to node:\n${SETCAP_LINE}`;
}

export interface BpfErrorOptions extends WhistlerErrorOptions {
  /** What was being done, e.g. `create map "counts"`; defaults to the command name. */
  what?: string;
  /** More lines after the errno line (e.g. a verifier log tail). */
  detail?: string;
}

/** A failed bpf(2) (or related) system call: errno, its name and the command. */
export class BpfError extends WhistlerError {
  readonly errno: number;
  /** e.g. "EPERM". */
  readonly code: string;
  /** e.g. "BPF_MAP_CREATE", or "perf_event_open" for related syscalls. */
  readonly command: string;
  constructor(command: string, errno: number, opts: BpfErrorOptions = {}) {
    const code = errnoName(errno);
    const text = ERRNO_TEXT[code];
    const what = opts.what ? `${opts.what}: ` : "";
    const detail = opts.detail ? `\n${opts.detail}` : "";
    super(`${what}${command} failed: ${code}${text ? ` (${text})` : ""}${detail}`, opts);
    this.errno = errno;
    this.code = code;
    this.command = command;
  }
}

/** Where in the source a verifier error points (from the program's line_info). */
export interface VerifierSource {
  readonly file: string;
  readonly line: number;
  /** 0 when the object does not record columns. */
  readonly col: number;
  /** The source line's text. */
  readonly text: string;
}

/** What the loader read from the log: the error, its instruction, source, states and a hint. */
export interface VerifierDetails {
  readonly message: string;
  readonly insn: number | undefined;
  readonly source: VerifierSource | undefined;
  readonly state: readonly string[];
  readonly hint: string | undefined;
}

/** The verifier rejected a program; `log` holds its full output. */
export class VerifierError extends BpfError {
  readonly program: string;
  readonly log: string;
  /** The verifier's reason, e.g. "R0 invalid mem access 'map_value_or_null'" (empty when the log is). */
  readonly reason: string;
  /** Index of the failing instruction, when the log says. */
  readonly insn: number | undefined;
  /** Source file, line, column and text of the failing instruction, when the object has line info. */
  readonly source: VerifierSource | undefined;
  /** The last register-state lines before the failure. */
  readonly state: readonly string[];
  constructor(program: string, errno: number, log: string, opts: WhistlerErrorOptions & { details?: VerifierDetails } = {}) {
    const lines = log.replace(/\0[\s\S]*$/, "").trimEnd().split("\n");
    const tail = lines.slice(-20);
    const d = opts.details;
    const summary: string[] = [];
    if (d?.message) summary.push(`  ${d.message}${d.insn !== undefined ? ` (instruction ${d.insn})` : ""}`);
    if (d?.source) {
      summary.push(`  at ${d.source.file}:${d.source.line}${d.source.col ? `:${d.source.col}` : ""}`);
      if (d.source.text.trim()) summary.push(`    ${d.source.text.trim()}`);
    }
    if (d?.state.length) summary.push("  last verifier state:", ...d.state.map((l) => `    ${l}`));
    const shown = (lines.length > tail.length ? `  ... (${lines.length - tail.length} earlier lines in .log)\n` : "") +
      tail.map((l) => `  | ${l}`).join("\n");
    super("BPF_PROG_LOAD", errno, {
      ...opts,
      hint: opts.hint ?? d?.hint,
      what: `program "${program}" rejected by the verifier`,
      detail: (summary.length ? `${summary.join("\n")}\n  verifier log:\n` : "") + (shown || "  (empty verifier log)"),
    });
    this.program = program;
    this.log = log;
    this.reason = d?.message ?? "";
    this.insn = d?.insn;
    this.source = d?.source;
    this.state = d?.state ?? [];
  }
}

/** Malformed or unsupported ELF object: names the section and byte offset. */
export class ElfError extends WhistlerError {
  readonly section: string;
  readonly offset: number;
  constructor(section: string, offset: number, message: string, opts: WhistlerErrorOptions = {}) {
    super(`ELF ${section} at offset ${offset}: ${message}`, opts);
    this.section = section;
    this.offset = offset;
  }
}

/** Malformed or unsupported BTF: names the section and byte offset in it. */
export class BtfError extends WhistlerError {
  readonly section: string;
  readonly offset: number;
  constructor(section: string, offset: number, message: string, opts: WhistlerErrorOptions = {}) {
    super(`BTF ${section} at offset ${offset}: ${message}`, opts);
    this.section = section;
    this.offset = offset;
  }
}

/** Attaching a program failed (the cause, often a BpfError, is in `cause`). */
export class AttachError extends WhistlerError {
  readonly program: string;
  constructor(program: string, message: string, opts: WhistlerErrorOptions = {}) {
    super(`attach program "${program}": ${message}`, opts);
    this.program = program;
  }
}
