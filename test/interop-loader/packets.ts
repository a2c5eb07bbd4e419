/** Ethernet/IPv4 test frames for BPF_PROG_TEST_RUN. */

export interface FrameOptions {
  proto?: number;
  ethertype?: number;
  saddr?: readonly [number, number, number, number];
  dport?: number;
  length?: number;
}

/** Ethernet + IPv4 (+ UDP/TCP ports) frame, zero-padded to `length` (default 64). */
export function frame(o: FrameOptions = {}): Uint8Array {
  const f = new Uint8Array(o.length ?? 64);
  f.set([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2], 0);
  const et = o.ethertype ?? 0x0800;
  f[12] = et >> 8;
  f[13] = et & 0xff;
  f[14] = 0x45;
  f[17] = 50;
  f[22] = 64;
  f[23] = o.proto ?? 17;
  f.set(o.saddr ?? [10, 0, 0, 1], 26);
  f.set([10, 0, 0, 2], 30);
  const dport = o.dport ?? 9;
  f[34] = 0x30;
  f[35] = 0x39;
  f[36] = dport >> 8;
  f[37] = dport & 0xff;
  return f;
}

export function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

export function u64At(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, true);
}

export function u32At(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
}
