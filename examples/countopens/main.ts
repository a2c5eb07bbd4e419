/**
 * countopens: which processes open the most files. Counts openat() calls per pid in the
 * kernel and prints the top 10 (pid, command, opens) every second.
 *
 *   node examples/out/countopens/main.js [--duration SECONDS] [--interval SECONDS]
 */
import { readFileSync } from "node:fs";
import { bpf, HashMap, u32, u64, load } from "whistler-ts";
import { parseDurationArgs, sleepUnlessStopped, onStop } from "../common/args.js";

export const counts = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const countOpens = bpf`
  export function count_opens(ctx: Tracepoint<"syscalls/sys_enter_openat">): i32 {
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${counts}.increment(pid);
    return 0;
  }
`;

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "(exited)";
  }
}

async function main(): Promise<void> {
  const { duration, interval } = parseDurationArgs(process.argv.slice(2), { duration: 5, interval: 1 });
  const stop = onStop();
  await using obj = await load(countOpens);
  obj.attachAll();
  const opens = obj.map(counts);
  const started = Date.now();
  console.log(`Counting openat() per process for ${duration}s (Ctrl-C to stop)...`);
  while (!stop.stopped && Date.now() - started < duration * 1000) {
    await sleepUnlessStopped(interval * 1000, stop);
    const top = [...opens.entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0)).slice(0, 10);
    const t = ((Date.now() - started) / 1000).toFixed(0).padStart(3);
    console.log(`\n[${t}s] ${"PID".padStart(8)}  ${"COMM".padEnd(16)} ${"OPENS".padStart(8)}`);
    for (const [pid, n] of top) console.log(`      ${String(pid).padStart(8)}  ${commOf(pid).padEnd(16)} ${String(n).padStart(8)}`);
  }
  let total = 0n;
  for (const [, n] of opens.entries()) total += n;
  console.log(`\n${total} opens seen across ${[...opens.keys()].length} processes.`);
}

await main();
