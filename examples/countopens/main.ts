/**
 * countopens: which processes open the most files. Counts openat() calls per pid in the
 * kernel and prints the top processes (pid, command, opens, a bar) every interval, then a
 * summary when the run ends (after --duration, or on Ctrl-C).
 *
 *   node examples/out/countopens/main.js [--duration SECONDS] [--interval SECONDS] [--top N] [--json]
 */
import { bpf, char, defstruct, HashMap, u32, u64, load } from "whistler-ts";
import { bar, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

/** Per process: its opens, and its command name taken in the kernel (short-lived processes are gone before we print). */
export const OpenCount = defstruct("open_count", { opens: u64, comm: char(16) });
export const counts = new HashMap({ key: u32, value: OpenCount, maxEntries: 10240 });

export const countOpens = bpf`
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    const seen = ${counts}.lookup(pid);
    if (seen) {
      atomic_add(seen.opens, 1);
      return 0;
    }
    let first: ${OpenCount};
    first.opens = 1;
    get_current_comm(first.comm);
    ${counts}.update(pid, first, BPF_NOEXIST);
    return 0;
  }
`;

type Row = { pid: number; comm: string; opens: bigint };
const byCount = (a: Row, b: Row): number => (b.opens > a.opens ? 1 : b.opens < a.opens ? -1 : a.pid - b.pid);

function positive(flag: string, v: string | undefined, fallback: number, integer: boolean): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new Error(`--${flag} needs a positive ${integer ? "integer" : "number"}, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "countopens [--duration S] [--interval S] [--top N] [--json]", duration: 5,
    options: { interval: "print the top processes this often (default 1 second)", top: "show the N processes opening most (default 10)" },
  });
  const interval = positive("interval", args.values.interval, 1, false);
  const top = positive("top", args.values.top, 10, true);
  await using obj = await load(countOpens);
  obj.attachAll();
  const opens = obj.map(counts);
  const all = (): Row[] => [...opens.entries()].map(([pid, v]) => ({ pid, comm: v.comm, opens: v.opens }));
  const rows = (): Row[] => all().sort(byCount).slice(0, top);
  const print = (r: readonly { pid: number; comm: string; opens: bigint }[]): void => {
    const max = r[0]?.opens ?? 0n;
    console.log(table(["PID", "COMM", "OPENS", ""], r.map((x) => [String(x.pid), x.comm, String(x.opens), pc.cyan(bar(x.opens, max, 30))]), [true, false, true, false]));
  };
  note(args.json, `Counting openat() per process for ${args.duration}s... Hit Ctrl-C to end.`);
  const started = Date.now();
  let ended = false;
  const run = runFor(args.duration).then((r) => ((ended = true), r));
  // waits `ms` or until the run ends, leaving no timer behind to hold the process open
  const pause = async (ms: number): Promise<void> => {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
  };
  while (!ended) {
    await pause(interval * 1000);
    if (ended || args.json) continue;
    console.log(pc.dim(`\n[${((Date.now() - started) / 1000).toFixed(0)}s]`));
    print(rows());
  }
  const { elapsed, stopped } = await run;
  const final = rows();
  let total = 0n;
  let processes = 0;
  for (const r of all()) {
    total += r.opens;
    processes++;
  }
  if (args.json) {
    printJson({ seconds: elapsed, stopped, total, processes, top: final });
    return;
  }
  console.log(pc.bold(`\nTop ${final.length} after ${elapsed.toFixed(1)}s`));
  print(final);
  console.log(pc.bold(`\n${total} opens by ${processes} processes in ${elapsed.toFixed(1)}s.`));
}

await main();
