/**
 * opensnoop: every openat() as it happens, with the caller's pid, command, flags, path and
 * result (the fd, or the error). sys_enter_openat stashes the path pointer and flags per
 * thread in a hash map of structs; sys_exit_openat takes them back, reserves a record in a
 * ring buffer, fills it (the path is read at exit, when the kernel has already touched its
 * page) and submits it; this side decodes each record with the same defstruct. `--pid`
 * filters in the kernel (a .rodata knob set before load, so the verifier sees a constant);
 * `--comm` filters here.
 *
 *   node examples/out/opensnoop/main.js [--duration SECONDS] [--pid PID] [--comm NAME] [--json]
 */
import { constants as osConstants } from "node:os";
import { bpf, char, defstruct, HashMap, i32, load, RingBuf, u32, u64 } from "whistler-ts";
import { note, parseTool, pc, printJson, runFor } from "../common/tool.js";

export const OpenEvent = defstruct("open_event", {
  pid: u32, uid: u32, ts: u64, flags: i32, ret: i32, comm: char(16), filename: char(256),
});
/** What sys_enter_openat leaves for sys_exit_openat on the same thread. */
export const OpenArgs = defstruct("open_args", { filename: u64, flags: i32 });
export const inFlight = new HashMap({ key: u64, value: OpenArgs, maxEntries: 10240 });
export const events = new RingBuf({ maxEntries: 256 * 1024 });
export const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const opensnoop = bpf`
  const target_pid: u32 = 0;             // 0: every process; set by --pid before load

  export function open_enter(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const id = get_current_pid_tgid();
    const pid = (id >> 32) as u32;
    if (target_pid != 0 && pid != target_pid) return 0;
    let args: ${OpenArgs};
    args.filename = ctx.filename;
    args.flags = ctx.flags as i32;
    ${inFlight}.update(id, args);
    return 0;
  }

  export function open_exit(ctx: Tracepoint<"syscalls/sys_exit_openat">): i32 {
    const id = get_current_pid_tgid();
    const args = ${inFlight}.lookup(id);
    if (!args) return 0;                   // entered before we attached, or filtered out
    const pid = (id >> 32) as u32;
    ${counts}.increment(pid);
    const e = ${events}.reserve(${OpenEvent});
    if (e) {
      e.pid = pid;
      e.uid = get_current_uid_gid() as u32;
      e.ts = ktime_get_ns();
      e.flags = args.flags;
      e.ret = ctx.ret as i32;
      get_current_comm(e.comm);
      probe_read_user_str(e.filename, args.filename);
      ${events}.submit(e);
    }
    ${inFlight}.delete(id);
    return 0;
  }
`;

const FLAG_NAMES: readonly [number, string][] = [
  [0o100, "O_CREAT"], [0o200, "O_EXCL"], [0o1000, "O_TRUNC"], [0o2000, "O_APPEND"], [0o4000, "O_NONBLOCK"],
  [0o200000, "O_DIRECTORY"], [0o400000, "O_NOFOLLOW"], [0o2000000, "O_CLOEXEC"], [0o10000000, "O_PATH"],
];

/** open(2) flags as their names: the access mode first, then each set bit we know. */
export function flagNames(flags: number): string {
  const mode = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][flags & 3]!;
  return [mode, ...FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, n]) => n)].join("|");
}

/** ENOENT for 2, as strerror's symbolic names (Node's table), else the number. */
function errnoName(errno: number): string {
  return Object.entries(osConstants.errno).find(([, n]) => n === errno)?.[0] ?? `E${errno}`;
}

interface Row {
  readonly time: number;
  readonly pid: number;
  /** The fd opened, or -errno. */
  readonly ret: number;
  readonly uid: number;
  readonly comm: string;
  readonly flags: number;
  readonly path: string;
}

/** Records kept for --json; past this many only the counts grow. */
const JSON_LIMIT = 10_000;

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "opensnoop [--duration S] [--pid PID] [--comm NAME] [--json]", duration: 10,
    options: { pid: "trace only this process (filtered in the kernel)", comm: "trace only processes with this command name" },
  });
  const pid = args.values.pid === undefined ? 0 : Number(args.values.pid);
  if (!(Number.isInteger(pid) && pid >= 0 && pid <= 0xffffffff)) throw new Error(`--pid needs a process id, got "${args.values.pid}"`);
  const comm = args.values.comm;
  await using obj = await load(opensnoop, { globals: { target_pid: pid } });
  obj.attachAll();
  using rb = obj.ringBuf(events, OpenEvent);
  const started = process.hrtime.bigint();
  const rows: Row[] = [];
  let seen = 0;
  const widths = [9, 7, 16, 6, 24];
  const line = (c: readonly string[]): string =>
    `${c[0]!.padStart(widths[0]!)}  ${c[1]!.padStart(widths[1]!)}  ${c[2]!.padEnd(widths[2]!)}  ${c[3]!.padStart(widths[3]!)}  ${c[4]!.padEnd(widths[4]!)}  ${c[5]}`;
  const onRecord = (e: { pid: number; uid: number; ts: bigint; flags: number; ret: number; comm: string; filename: string }): void => {
    if (comm !== undefined && e.comm !== comm) return;
    seen++;
    const row: Row = { time: Number(e.ts - started) / 1e9, pid: e.pid, ret: e.ret, uid: e.uid, comm: e.comm, flags: e.flags, path: e.filename };
    if (args.json) {
      if (rows.length < JSON_LIMIT) rows.push(row);
      return;
    }
    const fd = row.ret >= 0 ? String(row.ret) : pc.red(errnoName(-row.ret));
    console.log(line([Math.max(0, row.time).toFixed(3), String(row.pid), row.comm, fd, flagNames(row.flags), row.path]));
  };
  note(args.json, `Tracing openat() in ${pid ? `pid ${pid}` : "every process"}${comm ? ` named ${comm}` : ""} for ${args.duration}s... Hit Ctrl-C to end.`);
  if (!args.json) console.log(pc.bold(line(["TIME(s)", "PID", "COMM", "FD", "FLAGS", "PATH"])));
  let ended = false;
  const run = runFor(args.duration).then((r) => ((ended = true), r));
  while (!ended) await rb.poll(onRecord, 100);
  rb.consume(onRecord);
  const { elapsed, stopped } = await run;
  const perPid = [...obj.map(counts).entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0));
  if (args.json) {
    printJson({ seconds: elapsed, stopped, pid: pid || null, comm: comm ?? null, total: seen, events: rows, truncated: seen > rows.length, perPid: perPid.slice(0, 10).map(([p, n]) => ({ pid: p, opens: n })) });
    return;
  }
  console.log(pc.bold(`\n${seen} opens traced in ${elapsed.toFixed(1)}s${perPid.length ? ` (most from pid ${perPid[0]![0]}: ${perPid[0]![1]})` : ""}.`));
}

await main();
