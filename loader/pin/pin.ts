/**
 * Pinning in bpffs: a pinned map, program or link is a file that holds a kernel reference, so
 * the object outlives the process that made it. Files are created mode 0600 (owner only) and
 * parent directories 0700. `/sys/fs/bpf` is mounted when absent (root only).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, statfsSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { WhistlerError } from "../../runtime/errors.js";
import { BpfError } from "../../runtime/errors.js";
import { bpfFdKind, objGet, objPin, type BpfObjectKind, type Fd, type PinAccess } from "../../runtime/sys/index.js";

export const BPFFS_ROOT = "/sys/fs/bpf";
const BPF_FS_MAGIC = 0xcafe4a11;

export function isBpffs(dir: string): boolean {
  try {
    return statfsSync(dir).type === BPF_FS_MAGIC;
  } catch {
    return false;
  }
}

/** Mount bpffs at /sys/fs/bpf unless something is there already. */
export function ensureBpffs(root: string = BPFFS_ROOT): void {
  if (isBpffs(root)) return;
  try {
    mkdirSync(root, { recursive: true });
    execFileSync("mount", ["-t", "bpf", "bpf", root], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new WhistlerError(`bpffs is not mounted at ${root} and mounting it failed${stderr ? `: ${stderr}` : ""}`, {
      cause: e, hint: `mount it as root: mount -t bpf bpf ${root}`,
    });
  }
}

/** The directory for a pin path, created (0700) on bpffs; errors say why a path cannot hold pins. */
function preparePinDir(path: string): string {
  const abs = resolve(path);
  if (abs === BPFFS_ROOT || abs.startsWith(`${BPFFS_ROOT}/`)) ensureBpffs();
  const dir = dirname(abs);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isBpffs(dir)) {
    throw new WhistlerError(`cannot pin at ${abs}: ${dir} is not on a bpf filesystem`, {
      hint: `pin under ${BPFFS_ROOT} (mount -t bpf bpf ${BPFFS_ROOT})`,
    });
  }
  return abs;
}

/** Pin `fd` at `path` (mode 0600). */
export function pinFd(fd: Fd, path: string): void {
  const abs = preparePinDir(path);
  objPin(fd.raw, abs, {
    what: `pin ${fd.label} at ${abs}`,
    hint: (err) => err === 17 ? `${abs} exists; remove it first (unpin("${abs}") or rm ${abs}), or open it with openPinned()`
      : err === 2 ? `the directory ${dirname(abs)} does not exist on bpffs` : undefined,
  });
  chmodSync(abs, 0o600);
}

/** Remove a pin (the object lives on while other references hold it). Idempotent. */
export function unpin(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new WhistlerError(`cannot unpin ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
  }
}

/** An object opened from bpffs: its kind and an fd the caller owns (dispose closes it). */
export interface PinnedObject extends Disposable {
  readonly path: string;
  readonly kind: BpfObjectKind;
  readonly fd: Fd;
}

export function openPinned(path: string, access: PinAccess = "rw"): PinnedObject {
  let fd: Fd;
  try {
    fd = objGet(path, access, {
      what: `open pinned object ${path}`,
      hint: (err) => err === 2 ? `nothing is pinned at ${path}` : err === 22 ? `${path} is not a pinned bpf object` : undefined,
    });
  } catch (e) {
    if (e instanceof BpfError) throw e;
    throw new WhistlerError(`cannot open pinned object ${path}`, { cause: e });
  }
  const kind = bpfFdKind(fd.raw);
  return { path, kind, fd, [Symbol.dispose]: () => fd.close() };
}
