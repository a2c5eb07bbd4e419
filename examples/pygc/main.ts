/**
 * pygc: Python's garbage collections, from the USDT probes Debian's python3 carries:
 * collections per generation, the objects they freed and how long they paused the
 * interpreter (total, average, longest), and the processes collecting most. gc__start stores
 * the time and generation per thread; gc__done takes the difference.
 *
 *   node examples/out/pygc/main.js [--duration SECONDS] [--pid PID] [--python PATH] [--json]
 */
import { ArrayMap, bpf, HashMap, load, u32, u64 } from "whistler-ts";
import { commOf, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

export const started = new HashMap({ key: u32, value: u64, maxEntries: 10240 });
export const generation = new HashMap({ key: u32, value: u32, maxEntries: 10240 });
export const runs = new ArrayMap({ value: u64, maxEntries: 3 });
export const pauseNs = new ArrayMap({ value: u64, maxEntries: 3 });
export const longestNs = new ArrayMap({ value: u64, maxEntries: 3 });
export const freed = new ArrayMap({ value: u64, maxEntries: 3 });
export const byProcess = new HashMap({ key: u32, value: u64, maxEntries: 1024 });

export const pygc = bpf`
  export function gc_start(ctx: Usdt<"/usr/bin/python3:python:gc__start">): i32 {
    const gen = ctx.args[0] as u32; // int generation
    if (gen > 2) return 0;
    const tid = get_current_pid_tgid() as u32;
    ${started}.update(tid, ktime_get_ns());
    ${generation}.update(tid, gen);
    return 0;
  }

  export function gc_done(ctx: Usdt<"/usr/bin/python3:python:gc__done">): i32 {
    const id = get_current_pid_tgid();
    const tid = id as u32;
    const t0 = ${started}.lookup(tid);
    const g = ${generation}.lookup(tid);
    if (!t0 || !g) return 0;
    const ns = ktime_get_ns() - t0[0];
    const gen = g[0];
    ${started}.delete(tid);
    ${runs}.increment(gen);
    ${pauseNs}.increment(gen, ns);
    const n = ctx.args[0] as i64; // long collected, -1 when the collection failed
    if (n > 0) ${freed}.increment(gen, n as u64);
    const longest = ${longestNs}.lookup(gen);
    if (longest && ns > longest[0]) longest[0] = ns;
    ${byProcess}.increment((id >> 32n) as u32);
    return 0;
  }
`;

const ms = (ns: bigint): string => (Number(ns) / 1e6).toFixed(2);
const us = (ns: bigint): string => (Number(ns) / 1e3).toFixed(1);

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "pygc [--duration S] [--pid PID] [--python PATH] [--json]", duration: 5,
    options: { pid: "trace only this process", python: "the python3 binary to trace (default /usr/bin/python3)" },
  });
  const pid = args.values.pid === undefined ? undefined : Number(args.values.pid);
  if (pid !== undefined && !(Number.isInteger(pid) && pid > 0)) throw new Error(`--pid needs a process id, got "${args.values.pid}"`);
  const python = args.values.python ?? "/usr/bin/python3";
  await using obj = await load(pygc);
  for (const probe of ["gc_start", "gc_done"] as const) {
    obj.program(probe).attach({ target: `${python}:python:${probe.replace("_", "__")}`, pid });
  }
  note(args.json, `Tracing Python garbage collections in ${pid === undefined ? `every ${python}` : `pid ${pid}`} for ${args.duration}s... Hit Ctrl-C to end.`);
  const { elapsed } = await runFor(args.duration);
  const at = <T>(m: { get(k: number): T | undefined }, g: number, zero: T): T => m.get(g) ?? zero;
  const gens = [0, 1, 2].map((g) => {
    const n = at(obj.map(runs), g, 0n);
    const total = at(obj.map(pauseNs), g, 0n);
    return { generation: g, collections: n, freed: at(obj.map(freed), g, 0n), pauseNs: total, longestNs: at(obj.map(longestNs), g, 0n), averageNs: n > 0n ? total / n : 0n };
  });
  const procs = [...obj.map(byProcess).entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : 0)).slice(0, 10);
  const comms = await Promise.all(procs.map(([p]) => commOf(p)));
  if (args.json) {
    printJson({ seconds: elapsed, generations: gens, processes: procs.map(([p, n], i) => ({ pid: p, comm: comms[i], collections: n })) });
    return;
  }
  console.log("\n" + table(["GEN", "COLLECTIONS", "FREED", "PAUSED MS", "AVG US", "LONGEST US"],
    gens.map((g) => [String(g.generation), String(g.collections), String(g.freed), ms(g.pauseNs), us(g.averageNs), us(g.longestNs)]), [true, true, true, true, true, true]));
  if (procs.length) console.log("\n" + table(["PID", "COMM", "COLLECTIONS"], procs.map(([p, n], i) => [String(p), comms[i]!, String(n)]), [true, false, true]));
  const total = gens.reduce((a, g) => a + g.collections, 0n);
  console.log(pc.bold(`\n${total} collections in ${elapsed.toFixed(1)}s.`));
}

await main();
