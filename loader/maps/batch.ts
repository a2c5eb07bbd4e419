/**
 * BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH: many elements per system call.
 *
 * Kernels before 5.6 do not know the commands (EINVAL) and some map types lack them
 * (ENOTSUPP/EOPNOTSUPP); the first such answer per map type and command is cached and the
 * caller falls back to per-element calls. Keys and values travel in native arrays encoded
 * and decoded with the handle's codecs.
 */
import { bpf, bpfError, BpfCmd, MapBatchAttr, NativeBuffer, type BpfCmdNumber } from "../../runtime/sys/index.js";

const EINVAL = 22;
const EOPNOTSUPP = 95;
const ENOTSUPP = 524;
const ENOENT = 2;
const ENOSPC = 28;

const unsupported = new Set<string>();
/** Map type and command pairs that worked once: later EINVALs there are real errors. */
const supported = new Set<string>();

/** Whether a batch command is known not to work for a map type (no system call made). */
export function batchUnsupported(mapType: number, cmd: BpfCmdNumber): boolean {
  return unsupported.has(`${mapType}:${cmd}`);
}

/**
 * Record whether a batch command works for a map type, overriding the probe: `false` makes
 * handles use per-element calls (for kernels whose batch support misbehaves, and tests).
 */
export function setBatchSupport(mapType: number, cmd: BpfCmdNumber, works: boolean): void {
  const key = `${mapType}:${cmd}`;
  unsupported.delete(key);
  supported.delete(key);
  (works ? supported : unsupported).add(key);
}

export interface BatchLayout {
  readonly fd: number;
  readonly type: number;
  readonly name: string;
  readonly keySize: number;
  /** Bytes of one value as user space sees it (all CPUs for per-CPU maps). */
  readonly valueBytes: number;
}

/** Result of one batch call: elements done, and whether the kernel said it had no more. */
interface CallResult {
  readonly count: number;
  readonly done: boolean;
  /** The command is unsupported here: use the per-element fallback. */
  readonly fallback: boolean;
}

/**
 * One batch system call; errnos that mean "no more" or "not supported here" are results.
 * Throws BpfError for anything else.
 */
function batchCall(m: BatchLayout, cmd: BpfCmdNumber, attr: NativeBuffer, what: string): CallResult {
  // bpf() tolerates one errno; batch calls have three expected ones, so call with ENOENT
  // tolerated and catch the rest by errno.
  try {
    const r = bpf(cmd, attr.ptr, MapBatchAttr.size, { what: `map "${m.name}": ${what}`, tolerate: ENOENT });
    supported.add(`${m.type}:${cmd}`);
    return { count: attr.view.getUint32(MapBatchAttr.count, true), done: r < 0, fallback: false };
  } catch (e) {
    const errno = (e as { errno?: number }).errno;
    const key = `${m.type}:${cmd}`;
    if ((errno === EINVAL || errno === EOPNOTSUPP || errno === ENOTSUPP) && !supported.has(key)) {
      unsupported.add(key);
      return { count: 0, done: true, fallback: true };
    }
    throw e;
  }
}

function newAttr(m: BatchLayout, keys: NativeBuffer, values: NativeBuffer | undefined, count: number): NativeBuffer {
  const attr = new NativeBuffer(MapBatchAttr.size);
  const v = attr.view;
  v.setUint32(MapBatchAttr.map_fd, m.fd, true);
  v.setBigUint64(MapBatchAttr.keys, keys.ptr, true);
  if (values) v.setBigUint64(MapBatchAttr.values, values.ptr, true);
  v.setUint32(MapBatchAttr.count, count, true);
  return attr;
}

/**
 * Every element, `batchSize` per call; `visit(keys, values, i)` decodes element i of a
 * batch. Returns false when the kernel lacks the command (nothing was visited).
 */
export function lookupBatch(
  m: BatchLayout, andDelete: boolean, batchSize: number,
  visit: (keys: DataView, values: DataView, i: number) => void,
): boolean {
  const cmd = andDelete ? BpfCmd.MAP_LOOKUP_AND_DELETE_BATCH : BpfCmd.MAP_LOOKUP_BATCH;
  if (batchUnsupported(m.type, cmd)) return false;
  let size = Math.max(1, batchSize);
  // The position token is a bucket index (hash maps) or a key (arrays): room for either.
  const tokenSize = Math.max(8, m.keySize);
  using inTok = new NativeBuffer(tokenSize);
  using outTok = new NativeBuffer(tokenSize);
  let keys = new NativeBuffer(size * m.keySize);
  let values = new NativeBuffer(size * m.valueBytes);
  try {
    for (let first = true; ;) {
      using attr = newAttr(m, keys, values, size);
      attr.view.setBigUint64(MapBatchAttr.in_batch, first ? 0n : inTok.ptr, true);
      attr.view.setBigUint64(MapBatchAttr.out_batch, outTok.ptr, true);
      let r: CallResult;
      try {
        r = batchCall(m, cmd, attr, andDelete ? "lookup and delete batch" : "lookup batch");
      } catch (e) {
        // A hash bucket holds more elements than the batch: retry it with room for them.
        if ((e as { errno?: number }).errno === ENOSPC && size < 1 << 20) {
          size *= 4;
          keys[Symbol.dispose]();
          values[Symbol.dispose]();
          keys = new NativeBuffer(size * m.keySize);
          values = new NativeBuffer(size * m.valueBytes);
          continue;
        }
        throw e;
      }
      if (r.fallback) return false;
      for (let i = 0; i < r.count; i++) visit(keys.view, values.view, i);
      if (r.done) return true;
      inTok.bytes.set(outTok.bytes);
      first = false;
    }
  } finally {
    keys[Symbol.dispose]();
    values[Symbol.dispose]();
  }
}

/**
 * Update (values given) or delete (values undefined) `count` elements already encoded in
 * `keys`/`values`. Returns the number done, or -1 when the kernel lacks the command.
 */
export function writeBatch(m: BatchLayout, keys: NativeBuffer, values: NativeBuffer | undefined, count: number, flags: number): number {
  const cmd = values ? BpfCmd.MAP_UPDATE_BATCH : BpfCmd.MAP_DELETE_BATCH;
  if (batchUnsupported(m.type, cmd)) return -1;
  if (count === 0) return 0;
  using attr = newAttr(m, keys, values, count);
  attr.view.setBigUint64(MapBatchAttr.elem_flags, BigInt(flags), true);
  const what = values ? "update batch" : "delete batch";
  let r: CallResult;
  try {
    r = batchCall(m, cmd, attr, what);
  } catch (e) {
    const done = attr.view.getUint32(MapBatchAttr.count, true);
    const errno = (e as { errno?: number }).errno ?? 0;
    throw bpfError(cmd, errno, { what: `map "${m.name}": ${what} stopped after ${done} of ${count} elements` });
  }
  if (r.fallback) return -1;
  // Delete batch answers ENOENT for a missing key after deleting the ones before it.
  if (r.done && !values && r.count < count) {
    throw bpfError(cmd, ENOENT, { what: `map "${m.name}": ${what} stopped after ${r.count} of ${count} elements (key ${r.count} is not in the map)` });
  }
  return r.count;
}
