/**
 * cgroup-egress: bytes and packets each cgroup sends. One cgroup_skb/egress program per
 * cgroup counts into its own map. With --cgroup it watches existing cgroup v2 directories;
 * without, it makes two demo cgroups, runs a UDP sender in each, and removes them after.
 *
 *   node examples/out/cgroup-egress/main.js [--duration SECONDS] [--cgroup DIR[,DIR...]] [--json]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmdirSync } from "node:fs";
import * as path from "node:path";
import { ArrayMap, bpf, load, u64, type BpfObject } from "whistler-ts";
import { bar, note, parseTool, pc, printJson, runFor, table } from "../common/tool.js";

/** Slot 0: bytes, slot 1: packets. */
export const totals = new ArrayMap({ value: u64, maxEntries: 2 });

export const cgroupEgress = bpf`
  export function egress_bytes(ctx: CgroupSkb<"egress">): i32 {
    ${totals}.increment(0, ctx.len);
    ${totals}.increment(1);
    return 1;   // let the packet through
  }
`;

function cgroup2Root(): string {
  const m = readFileSync("/proc/mounts", "utf8").split("\n").map((l) => l.split(" ")).find((f) => f[2] === "cgroup2");
  if (!m) throw new Error("cgroup v2 is not mounted: mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified");
  return m[1]!;
}

/** A sender that moves itself into `cgroup`, then sends `count` UDP datagrams of `size` bytes to 127.0.0.1. */
function udpSender(cgroup: string, count: number, size: number): ChildProcess {
  const js = `const s=require("node:dgram").createSocket("udp4");let i=0;const b=Buffer.alloc(${size});` +
    `(function next(){if(i++>=${count})return s.close();s.send(b,9,"127.0.0.1",()=>setTimeout(next,5));})();`;
  return spawn("sh", ["-c", `echo $$ > "${cgroup}/cgroup.procs" && exec "${process.execPath}" -e '${js}'`], { stdio: "ignore" });
}

async function main(): Promise<void> {
  const args = parseTool(process.argv.slice(2), {
    usage: "cgroup-egress [--duration S] [--cgroup DIR[,DIR...]] [--json]", duration: 2,
    options: { cgroup: "cgroup v2 directories to watch (default: two demo cgroups with UDP senders)" },
  });
  const demo = args.values.cgroup === undefined;
  const base = demo ? path.join(cgroup2Root(), `whistler-egress-${process.pid}`) : "";
  const cgroups = demo ? ["small", "large"].map((n) => path.join(base, n)) : args.values.cgroup!.split(",");
  const senders: ChildProcess[] = [];
  const objects: BpfObject[] = [];
  try {
    if (demo) for (const dir of cgroups) mkdirSync(dir, { recursive: true });
    for (const dir of cgroups) {
      const obj = await load(cgroupEgress);
      objects.push(obj);
      obj.attachAll({ cgroup: dir });
    }
    if (demo) senders.push(udpSender(cgroups[0]!, 40, 64), udpSender(cgroups[1]!, 40, 1200));
    note(args.json, `Counting egress of ${cgroups.length} cgroup${cgroups.length === 1 ? "" : "s"} for ${args.duration}s... Hit Ctrl-C to end.`);
    const { elapsed } = await runFor(args.duration);
    const rows = cgroups.map((dir, i) => {
      const m = objects[i]!.map(totals);
      return { cgroup: dir, bytes: m.get(0) ?? 0n, packets: m.get(1) ?? 0n };
    });
    if (args.json) {
      printJson({ seconds: elapsed, cgroups: rows });
      return;
    }
    const max = rows.reduce((a, r) => (r.bytes > a ? r.bytes : a), 0n);
    console.log("\n" + table(["CGROUP", "PACKETS", "BYTES", ""], rows.map((r) => [r.cgroup, String(r.packets), String(r.bytes), pc.cyan(bar(r.bytes, max, 30))]), [false, true, true, false]));
    const sum = rows.reduce((a, r) => a + r.bytes, 0n);
    console.log(pc.bold(`\n${sum} bytes sent from ${cgroups.length} cgroups in ${elapsed.toFixed(1)}s.`));
  } finally {
    for (const o of objects) o[Symbol.dispose]();
    for (const s of senders) s.kill();
    if (demo) await removeWhenEmpty([...cgroups, base]);
  }
}

/** rmdir fails while a sender is still inside: wait for them to exit (they are killed). */
async function removeWhenEmpty(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(dir);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

await main();
