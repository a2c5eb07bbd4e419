/**
 * execsnoop: every execve() with the caller's pid, parent pid, uid and arguments. The
 * tracepoint walks argv in a bounded loop (probe_read_user of each pointer, then
 * probe_read_user_str of its string) and sends one ring buffer record per argument; the
 * closing record, with the count and execve's result, comes from sys_exit_execve, as bcc's
 * execsnoop does (after a successful exec, its comm is the new program's). The parent pid
 * is the current task's real_parent->tgid, read at CO-RE relocated offsets
 * (`KernelStruct<"task_struct">`), so the object works on kernels whose task_struct differs
 * from the build machine's.
 *
 *   node examples/out/execsnoop/main.js [--duration SECONDS] [--uid UID] [--json]
 */
import { constants as osConstants } from "node:os";
import { bpf, char, defstruct, i32, load, RingBuf, u32, u64 } from "whistler-ts";
import { note, parseTool, pc, printJson, runFor } from "../common/tool.js";

/** One argument (index < ARG_END), or the closing record of an execve (index == ARG_END, with `ret`). */
export const ExecArg = defstruct("exec_arg", {
  pid: u32, ppid: u32, uid: u32, index: u32, ret: i32, ts: u64, comm: char(16), arg: char(128),
});
/** Where a pointer read from argv lands (helpers write into struct memory). */
export const ArgPtr = defstruct("arg_ptr", { addr: u64 });
export const events = new RingBuf({ maxEntries: 256 * 1024 });

const ARG_END = 0xffffffff;

export const execsnoop = bpf`
  const MAX_ARGS = 20;

  export function execsnoop(ctx: Tracepoint<"syscalls/sys_enter_execve">): i32 {
    const pid = (get_current_pid_tgid() >> 32) as u32;
    const uid = get_current_uid_gid() as u32;
    const ts = ktime_get_ns();
    let p: ${ArgPtr};
    for (let i: u32 = 0; i < MAX_ARGS; i++) {
      if (probe_read_user(p, ctx.argv + (i as u64) * 8) != 0 || p.addr == 0) break;
      const e = ${events}.reserve(${ExecArg});
      if (!e) return 0;
      e.pid = pid;
      e.uid = uid;
      e.index = i;
      e.ts = ts;
      probe_read_user_str(e.arg, p.addr);
      ${events}.submit(e);
    }
    return 0;
  }

  export function exec_exit(ctx: Tracepoint<"syscalls/sys_exit_execve">): i32 {
    const pid = (get_current_pid_tgid() >> 32) as u32;
    const end = ${events}.reserve(${ExecArg});
    if (!end) return 0;
    end.pid = pid;
    end.uid = get_current_uid_gid() as u32;
    end.index = ${ARG_END};
    end.ret = ctx.ret as i32;
    const task = get_current_task() as KernelStruct<"task_struct">;
    end.ppid = task.real_parent.tgid as u32;
    end.ts = ktime_get_ns();
    get_current_comm(end.comm);
    ${events}.submit(end);
    return 0;
  }
`;

/** ENOENT for 2 (Node's errno table), else E<number>. */
function errnoName(errno: number): string {
  return Object.entries(osConstants.errno).find(([, n]) => n === errno)?.[0] ?? `E${errno}`;
}

interface Exec {
  readonly time: number;
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  /** The program's comm after the exec (the caller's when it failed). */
  readonly comm: string;
  /** execve's result: 0, or -errno. */
  readonly ret: number;
  readonly argv: string[];
  /** argv had more than the kernel side reads (20). */
  readonly truncated: boolean;
}

const JSON_LIMIT = 10_000;

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "execsnoop [--duration S] [--uid UID] [--json]", duration: 10,
    options: { uid: "show only programs run by this user id" },
  });
  const uid = args.values.uid === undefined ? undefined : Number(args.values.uid);
  if (uid !== undefined && !(Number.isInteger(uid) && uid >= 0)) throw new Error(`--uid needs a user id, got "${args.values.uid}"`);
  await using obj = await load(execsnoop);
  obj.attachAll();
  using rb = obj.ringBuf(events, ExecArg);
  const started = process.hrtime.bigint();
  const pending = new Map<number, string[]>();
  const execs: Exec[] = [];
  let seen = 0;
  const line = (c: readonly string[]): string => `${c[0]!.padStart(9)}  ${c[1]!.padStart(7)}  ${c[2]!.padStart(7)}  ${c[3]!.padStart(5)}  ${c[4]!.padStart(6)}  ${c[5]}`;
  const onRecord = (r: { pid: number; ppid: number; uid: number; index: number; ret: number; ts: bigint; comm: string; arg: string }): void => {
    if (uid !== undefined && r.uid !== uid) return;
    if (r.index !== ARG_END) {
      const argv = pending.get(r.pid) ?? [];
      argv[r.index] = r.arg;
      pending.set(r.pid, argv);
      return;
    }
    const argv = pending.get(r.pid);
    if (!argv) return; // its execve began before the tool attached
    pending.delete(r.pid);
    seen++;
    const e: Exec = { time: Number(r.ts - started) / 1e9, pid: r.pid, ppid: r.ppid, uid: r.uid, comm: r.comm, ret: r.ret, argv, truncated: argv.length >= 20 };
    if (args.json) {
      if (execs.length < JSON_LIMIT) execs.push(e);
      return;
    }
    const shown = argv.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(" ") + (e.truncated ? pc.dim(" ...") : "");
    const ret = e.ret === 0 ? "0" : pc.red(errnoName(-e.ret));
    console.log(line([Math.max(0, e.time).toFixed(3), String(e.pid), String(e.ppid), String(e.uid), ret, shown]));
  };
  note(args.json, `Tracing execve()${uid === undefined ? "" : ` by uid ${uid}`} for ${args.duration}s... Hit Ctrl-C to end.`);
  if (!args.json) console.log(pc.bold(line(["TIME(s)", "PID", "PPID", "UID", "RET", "ARGS"])));
  let ended = false;
  const run = runFor(args.duration).then((r) => ((ended = true), r));
  while (!ended) await rb.poll(onRecord, 100);
  rb.consume(onRecord);
  const { elapsed, stopped } = await run;
  if (args.json) {
    printJson({ seconds: elapsed, stopped, total: seen, execs, truncated: seen > execs.length });
    return;
  }
  console.log(pc.bold(`\n${seen} execs traced in ${elapsed.toFixed(1)}s.`));
}

await main();
