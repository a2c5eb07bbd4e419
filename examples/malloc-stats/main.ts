/**
 * malloc-stats: who calls libc's malloc(), how often, how many bytes, and a log2 histogram of
 * the sizes asked for. A uprobe on malloc reads its first argument (the size).
 *
 *   node examples/out/malloc-stats/main.js [--duration SECONDS] [--pid PID] [--top N] [--json]
 */
import { ArrayMap, bpf, HashMap, load, u32, u64 } from "whistler-ts";
import { commOf, log2Buckets, log2Histogram, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

export const sizes = new ArrayMap({ value: u64, maxEntries: 64 });
export const calls = new HashMap({ key: u32, value: u64, maxEntries: 10240 });
export const bytes = new HashMap({ key: u32, value: u64, maxEntries: 10240 });

export const mallocStats = bpf`
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

  export function on_malloc(ctx: Uprobe<"/lib/x86_64-linux-gnu/libc.so.6:malloc">): i32 {
    const size = ctx.args[0];
    const pid = (get_current_pid_tgid() >> 32n) as u32;
    ${calls}.increment(pid);
    ${bytes}.increment(pid, size);
    ${sizes}.increment(log2l(size));
    return 0;
  }
`;

const byCount = <K>(a: [K, bigint], b: [K, bigint]): number => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0);

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "malloc-stats [--duration S] [--pid PID] [--top N] [--json]", duration: 3,
    options: { pid: "count only this process's calls", top: "show the N processes calling malloc most (default 10)" },
  });
  const pid = args.values.pid === undefined ? undefined : Number(args.values.pid);
  if (pid !== undefined && !(Number.isInteger(pid) && pid > 0)) throw new Error(`--pid needs a process id, got "${args.values.pid}"`);
  const top = Number(args.values.top ?? 10);
  await using obj = await load(mallocStats);
  obj.attachAll(pid === undefined ? {} : { uprobe: { pid } });
  note(args.json, `Tracing malloc() in ${pid === undefined ? "every process" : `pid ${pid}`} for ${args.duration}s... Hit Ctrl-C to end.`);
  const { elapsed } = await runFor(args.duration);
  const buckets = log2Buckets([...obj.map(sizes).values()]);
  const byBytes = obj.map(bytes);
  const rows = [...obj.map(calls).entries()].sort(byCount).slice(0, top);
  const comms = await Promise.all(rows.map(([p]) => commOf(p)));
  const total = buckets.reduce((a, b) => a + b.count, 0n);
  if (args.json) {
    printJson({
      seconds: elapsed, total, buckets,
      top: rows.map(([p, n], i) => ({ pid: p, comm: comms[i], calls: n, bytes: byBytes.get(p) ?? 0n })),
    });
    return;
  }
  console.log("\n" + log2Histogram(buckets, "bytes"));
  console.log("\n" + table(["PID", "COMM", "CALLS", "BYTES"], rows.map(([p, n], i) => [String(p), comms[i]!, String(n), String(byBytes.get(p) ?? 0n)]), [true, false, true, true]));
  console.log(pc.bold(`\n${total} malloc() calls in ${elapsed.toFixed(1)}s.`));
}

await main();
