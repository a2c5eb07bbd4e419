/**
 * countopens: which processes open the most files. Counts openat() calls per pid in the
 * kernel and prints the top processes (pid, command, opens, a bar) every interval, then a
 * summary when the run ends (after --duration, or on Ctrl-C).
 *
 *   node examples/out/countopens/main.js [--duration SECONDS] [--interval SECONDS] [--top N] [--json]
 */
import { bpf, HashMap, u32, u64, load } from "whistler-ts";
import { bar, commOf, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

export const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const countOpens = bpf`
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${counts}.increment(pid);
    return 0;
  }
`;

const byCount = (a: [number, bigint], b: [number, bigint]): number => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] - b[0]);

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
  const rows = async (): Promise<{ pid: number; comm: string; opens: bigint }[]> => {
    const ranked = [...opens.entries()].sort(byCount).slice(0, top);
    const comms = await Promise.all(ranked.map(([pid]) => commOf(pid)));
    return ranked.map(([pid, n], i) => ({ pid, comm: comms[i]!, opens: n }));
  };
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
    print(await rows());
  }
  const { elapsed, stopped } = await run;
  const final = await rows();
  let total = 0n;
  let processes = 0;
  for (const [, n] of opens.entries()) {
    total += n;
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
