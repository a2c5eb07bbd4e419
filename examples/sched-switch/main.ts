/**
 * sched-switch: context switches per CPU and the processes switched out most often, from the
 * sched_switch raw tracepoint (the task running when it fires is the one leaving the CPU).
 *
 *   node examples/out/sched-switch/main.js [--duration SECONDS] [--top N] [--json]
 */
import { ArrayMap, bpf, HashMap, load, u32, u64 } from "whistler-ts";
import { bar, commOf, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

export const perCpu = new ArrayMap({ value: u64, maxEntries: 1024 });
export const perPid = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const schedSwitch = bpf`
  export function on_switch(ctx: RawTracepoint<"sched_switch">): i32 {
    ${perCpu}.increment(get_smp_processor_id());
    ${perPid}.increment((get_current_pid_tgid() >> 32n) as u32);
    return 0;
  }
`;

const byCount = <K>(a: [K, bigint], b: [K, bigint]): number => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0);

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "sched-switch [--duration S] [--top N] [--json]", duration: 3,
    options: { top: "show the N processes switched out most (default 10)" },
  });
  const top = Number(args.values.top ?? 10);
  await using obj = await load(schedSwitch);
  obj.attachAll();
  note(args.json, `Counting context switches for ${args.duration}s... Hit Ctrl-C to end.`);
  const { elapsed } = await runFor(args.duration);
  const cpus = [...obj.map(perCpu).entries()].filter(([, n]) => n > 0n);
  const pids = [...obj.map(perPid).entries()].sort(byCount).slice(0, top);
  const total = cpus.reduce((a, [, n]) => a + n, 0n);
  const comms = await Promise.all(pids.map(([pid]) => (pid === 0 ? Promise.resolve("swapper (idle)") : commOf(pid))));
  if (args.json) {
    printJson({
      seconds: elapsed, total, perSecond: Math.round(Number(total) / elapsed),
      cpus: Object.fromEntries(cpus), top: pids.map(([pid, n], i) => ({ pid, comm: comms[i], switches: n })),
    });
    return;
  }
  const max = cpus.reduce((m, [, n]) => (n > m ? n : m), 0n);
  console.log("\n" + table(["CPU", "SWITCHES", ""], cpus.map(([cpu, n]) => [String(cpu), String(n), pc.cyan(bar(n, max, 30))]), [true, true, false]));
  console.log("\n" + table(["PID", "COMM", "SWITCHED OUT"], pids.map(([pid, n], i) => [String(pid), comms[i]!, String(n)]), [true, false, true]));
  console.log(pc.bold(`\n${total} context switches in ${elapsed.toFixed(1)}s (${Math.round(Number(total) / elapsed)}/s).`));
}

await main();
