/**
 * `whistler tracepoint list [FILTER]`, `show GROUP/NAME`, `--update [-o FILE]`: tracepoint
 * context layouts from the snapshot (or the live tracefs with --live), and refreshing the
 * snapshot from the running kernel.
 */
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { WhistlerError } from "../runtime/errors.js";
import type { TracepointFormat } from "../transformer/kernel/tracefs-format.js";

export interface TracepointOptions {
  readonly update?: boolean;
  readonly out?: string;
  readonly live?: boolean;
}

/** The snapshot's source file in a checkout of whistler-ts (the default target of --update). */
function snapshotSource(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const file = path.join(dir, "transformer/kernel/tracepoints/snapshot.ts");
    if (existsSync(path.join(dir, "package.json")) && existsSync(file)) return file;
  }
  throw new WhistlerError("no snapshot source to update here (this is not a checkout of whistler-ts)", { hint: "write it elsewhere with -o FILE" });
}

function describeFormat(f: TracepointFormat): string {
  const lines = [`${f.name}: ${f.size} bytes`];
  for (const x of f.fields) {
    const extra = x.kind === "data_loc" ? " (u32: offset | length << 16 of the data in the record)" : x.kind === "array" ? ` (${x.length} x ${x.elementSize} bytes)` : "";
    lines.push(`  ${String(x.offset).padStart(4)}  ${String(x.size).padStart(3)}  ${x.signed ? "signed  " : "unsigned"}  ${x.kind.padEnd(8)}  ${x.cType} ${x.name}${extra}`);
  }
  return lines.join("\n") + "\n";
}

export async function tracepointCommand(action: string | undefined, arg: string | undefined, opts: TracepointOptions): Promise<void> {
  const tp = await import("../transformer/kernel/tracepoints.js");
  const live = await import("../transformer/kernel/tracefs.js");
  if (opts.update) {
    const root = live.liveTracefsRoot();
    const formats = live.liveTracepointNames(root, live.SNAPSHOT_GROUPS).map((n) => live.liveFormat(root, n)).filter((f): f is TracepointFormat => f !== undefined);
    const out = opts.out ?? snapshotSource();
    writeFileSync(out, live.snapshotModule(formats));
    process.stdout.write(`wrote ${formats.length} tracepoint formats (${live.SNAPSHOT_GROUPS.join(", ")}) to ${out}\n`);
    return;
  }
  switch (action ?? "list") {
    case "list": {
      const names = opts.live ? live.liveTracepointNames(live.liveTracefsRoot()) : tp.tracepointNames();
      process.stdout.write(names.filter((n) => !arg || n.includes(arg)).join("\n") + "\n");
      return;
    }
    case "show": {
      if (!arg) throw new WhistlerError("tracepoint show needs a name", { hint: "e.g. whistler tracepoint show syscalls/sys_enter_openat" });
      const f = opts.live ? live.liveFormat(live.liveTracefsRoot(), arg) : tp.tracepointFormat(arg);
      if (!f) {
        const near = tp.suggestTracepoints(arg);
        throw new WhistlerError(`unknown tracepoint "${arg}"${opts.live ? " in the live tracefs" : " (not in the snapshot)"}`, {
          hint: near.length ? `did you mean ${near.join(", ")}?` : "list them with: whistler tracepoint list [FILTER]",
        });
      }
      process.stdout.write(describeFormat(f));
      return;
    }
    default:
      throw new WhistlerError(`unknown tracepoint action "${action}"`, { hint: "use list [FILTER], show GROUP/NAME, or --update" });
  }
}
