/**
 * ringbufRatio: ring buffer records decoded per second by our consumer against a C consumer
 * using libbpf's ring_buffer__poll (built here with gcc and libbpf-dev), on the same producer:
 * the clang-built XDP program of test/fixtures/clang/event_producers.bpf.o run REPEAT times
 * by BPF_PROG_TEST_RUN on a second thread while the consumer drains on the main one. Both
 * decode every record (read and sum its fields, the u64 as two u32 halves: no BigInt) in place.
 * Rounds alternate; each side keeps its best.
 *
 * The concurrent rate is bounded by the producer as much as by the consumer, so a second
 * figure isolates the consumer: fill the ring (it holds ~43k records), then time only the
 * drain (`consumeRaw` against `ring_buffer__consume`), DRAIN_ROUNDS times.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { load, type BpfObject } from "../index.js";
import { progTestRunAsync } from "../runtime/sys/index.js";

const REPEAT = 2_000_000;
const FILL = 50_000;
const DRAIN_ROUNDS = 20;
const PACKET = new Uint8Array(64);

interface Round {
  consumed: number;
  seconds: number;
  dropped: number;
}

function resetStats(obj: BpfObject): void {
  const stats = obj.map<number, bigint>("stats");
  for (let i = 0; i < 3; i++) stats.set(i, 0n);
}

async function oursRound(obj: BpfObject): Promise<Round> {
  resetStats(obj);
  using rb = obj.ringBuf("events");
  let consumed = 0;
  let checksum = 0;
  // The same work per record as the C consumer: read every field and sum them.
  const visit = (v: DataView, o: number): void => {
    checksum += v.getUint32(o, true) + v.getUint32(o + 4, true) * 0x100000000 + v.getUint32(o + 8, true) + v.getUint32(o + 12, true);
    consumed++;
  };
  let done = false;
  const t0 = process.hrtime.bigint();
  const producer = progTestRunAsync(obj.program("ringbuf_produce").fd.raw, PACKET, REPEAT).finally(() => { done = true; });
  while (!done) {
    if (rb.consumeRaw(visit) === 0) await rb.wait(50);
  }
  await producer;
  rb.consumeRaw(visit);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  void checksum;
  return { consumed, seconds, dropped: Number(obj.map<number, bigint>("stats").get(1)) };
}

/** Records per second of the drain alone. */
async function oursDrain(obj: BpfObject): Promise<number> {
  resetStats(obj);
  using rb = obj.ringBuf("events");
  let consumed = 0;
  let checksum = 0;
  const visit = (v: DataView, o: number): void => {
    checksum += v.getUint32(o, true) + v.getUint32(o + 4, true) * 0x100000000 + v.getUint32(o + 8, true) + v.getUint32(o + 12, true);
    consumed++;
  };
  let spent = 0n;
  for (let i = 0; i < DRAIN_ROUNDS; i++) {
    await progTestRunAsync(obj.program("ringbuf_produce").fd.raw, PACKET, FILL);
    const t0 = process.hrtime.bigint();
    rb.consumeRaw(visit);
    spent += process.hrtime.bigint() - t0;
  }
  void checksum;
  return consumed / (Number(spent) / 1e9);
}

async function cDrain(obj: BpfObject, exe: string): Promise<number> {
  resetStats(obj);
  const out = await runC(obj, exe, [String(FILL), "drain", String(DRAIN_ROUNDS)]);
  const [consumed, ns] = out.trim().split(/\s+/).map(Number);
  return consumed! / (ns! / 1e9);
}

function runC(obj: BpfObject, exe: string, args: string[]): Promise<string> {
  const mapFd = obj.map("events").fd;
  const progFd = obj.program("ringbuf_produce").fd.raw;
  return new Promise<string>((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "inherit", mapFd, progFd] });
    let text = "";
    child.stdout!.on("data", (d: Buffer) => { text += d.toString(); });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`ringbuf_consume exited with ${code}`))));
  });
}

async function cRound(obj: BpfObject, exe: string): Promise<Round> {
  resetStats(obj);
  const out = await runC(obj, exe, [String(REPEAT)]);
  const [consumed, ns] = out.trim().split(/\s+/).map(Number);
  return { consumed: consumed!, seconds: ns! / 1e9, dropped: Number(obj.map<number, bigint>("stats").get(1)) };
}

export interface RingbufResult {
  /** Records decoded per second. */
  ours: number;
  c: number;
  ratio: number;
  oursDropped: number;
  cDropped: number;
  repeat: number;
  /** Records per second of the drain alone (ring filled first), and their ratio. */
  drainOurs: number;
  drainC: number;
  drainRatio: number;
}

export async function measureRingbuf(repoRoot: string, rounds = 5): Promise<RingbufResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "whistler-bench-"));
  try {
    const exe = path.join(dir, "ringbuf_consume");
    execFileSync("gcc", ["-O2", "-o", exe, path.join(repoRoot, "bench/c/ringbuf_consume.c"), "-lbpf", "-lpthread"]);
    await using obj = await load(path.join(repoRoot, "test/fixtures/clang/event_producers.bpf.o"));
    let best = { ours: { consumed: 0, seconds: 1, dropped: 0 }, c: { consumed: 0, seconds: 1, dropped: 0 } };
    const rate = (r: Round): number => r.consumed / r.seconds;
    let drainOurs = 0;
    let drainC = 0;
    for (let i = 0; i < rounds; i++) {
      drainC = Math.max(drainC, await cDrain(obj, exe));
      drainOurs = Math.max(drainOurs, await oursDrain(obj));
      const c = await cRound(obj, exe);
      if (rate(c) > rate(best.c)) best = { ...best, c };
      const ours = await oursRound(obj);
      if (rate(ours) > rate(best.ours)) best = { ...best, ours };
    }
    return {
      ours: rate(best.ours), c: rate(best.c), ratio: rate(best.ours) / rate(best.c),
      oursDropped: best.ours.dropped, cDropped: best.c.dropped, repeat: REPEAT,
      drainOurs, drainC, drainRatio: drainOurs / drainC,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
