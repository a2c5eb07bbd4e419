/** Finding tracepoints in tracefs. */
import { existsSync, readFileSync } from "node:fs";
import { WhistlerError } from "../../runtime/errors.js";

const TRACEFS_ROOTS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** The mounted tracefs (the directory that has `events/`), or undefined. */
export function tracefsRoot(roots: readonly string[] = TRACEFS_ROOTS): string | undefined {
  return roots.find((r) => existsSync(`${r}/events`));
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * The id of tracepoint group/name, or an error whose hint says what to check. `roots` is where
 * tracefs may be mounted (tests pass others).
 */
export function tracepointId(group: string, name: string, roots: readonly string[] = TRACEFS_ROOTS): number {
  if (!NAME.test(group) || !NAME.test(name)) {
    throw new WhistlerError(`"${group}/${name}" is not a valid tracepoint name`, { hint: "tracepoints are named group/name, e.g. syscalls/sys_enter_openat" });
  }
  const root = tracefsRoot(roots);
  if (!root) {
    throw new WhistlerError(`cannot find tracepoint ${group}/${name}: tracefs is not mounted (no /sys/kernel/tracing/events)`, {
      hint: "mount it: mount -t tracefs nodev /sys/kernel/tracing",
    });
  }
  const path = `${root}/events/${group}/${name}/id`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT"
      ? `no tracepoint ${group}/${name}; see ls ${root}/events/${existsSync(`${root}/events/${group}`) ? group : ""}`
      : code === "EACCES" || code === "EPERM" ? `cannot read ${path}: run as root or make tracefs readable` : undefined;
    throw new WhistlerError(`cannot find tracepoint ${group}/${name} (${code ?? "error"} reading ${path})`, { hint, cause: e });
  }
  const id = Number(text.trim());
  if (!Number.isInteger(id) || id < 0) throw new WhistlerError(`unexpected content in ${path}: ${JSON.stringify(text)}`);
  return id;
}
