/**
 * readlatency: how long read() calls take, as a log2 histogram in microseconds (like bcc's
 * tools). sys_enter_read stores a timestamp per thread; sys_exit_read takes the difference
 * and counts it in the slot floor(log2(usecs)).
 *
 *   node examples/out/readlatency/main.js [--duration SECONDS] [--json]
 */
import { ArrayMap, bpf, HashMap, load, u32, u64 } from "whistler-ts";
import { log2Buckets, log2Histogram, note, parseTool, pc, printJson, runFor } from "../common/tool.js";

export const start = new HashMap({ key: u32, value: u64, maxEntries: 10240 });
export const hist = new ArrayMap({ value: u64, maxEntries: 32 });

export const readLatency = bpf`
  /** floor(log2(x)) by halving (no loops needed): 0 for 0 and 1. */
  function log2l(x: u64): u32 {
    let v = x;
    let shift = ((v > 0xffffffff) as u64) << 5; v >>= shift; let r = shift;
    shift = ((v > 0xffff) as u64) << 4; v >>= shift; r |= shift;
    shift = ((v > 0xff) as u64) << 3; v >>= shift; r |= shift;
    shift = ((v > 0xf) as u64) << 2; v >>= shift; r |= shift;
    shift = ((v > 0x3) as u64) << 1; v >>= shift; r |= shift;
    r |= v >> 1;
    return r as u32;
  }

  export function read_enter(ctx: Tracepoint<"syscalls/sys_enter_read">): i32 {
    const tid = get_current_pid_tgid() as u32;
    ${start}.update(tid, ktime_get_ns(), BPF_ANY);
    return 0;
  }

  export function read_exit(ctx: Tracepoint<"syscalls/sys_exit_read">): i32 {
    const tid = get_current_pid_tgid() as u32;
    const t0 = ${start}.lookup(tid);
    if (!t0) return 0;
    const usecs = (ktime_get_ns() - t0[0]) / 1000;
    ${start}.delete(tid);
    let slot = log2l(usecs);
    if (slot > 31) slot = 31;
    ${hist}.increment(slot);
    return 0;
  }
`;

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), { usage: "readlatency [--duration S] [--json]", duration: 5 });
  await using obj = await load(readLatency);
  obj.attachAll();
  note(args.json, `Tracing read() latency for ${args.duration}s... Hit Ctrl-C to end.`);
  const { elapsed } = await runFor(args.duration);
  const slots = [...obj.map(hist).values()];
  const buckets = log2Buckets(slots);
  const total = slots.reduce((a, b) => a + b, 0n);
  if (args.json) {
    printJson({ unit: "usecs", seconds: elapsed, total, buckets });
    return;
  }
  console.log("\n" + log2Histogram(buckets, "usecs"));
  console.log(pc.bold(`\n${total} reads measured in ${elapsed.toFixed(1)}s.`));
}

await main();
