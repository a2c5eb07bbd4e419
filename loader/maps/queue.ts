/** Handles of maps without keys: queue/stack (push, pop, peek) and bloom filter (push, has). */
import { UpdateFlags } from "./handle.js";
import { MapBase } from "./base.js";
import type { MapScalar } from "./codecs.js";

/** BPF_MAP_TYPE_QUEUE (FIFO) or BPF_MAP_TYPE_STACK (LIFO). */
export class QueueHandle<V = MapScalar, VIn = V> extends MapBase {
  /** Add `value`; when full, fails with E2BIG unless `overwrite` drops the oldest (BPF_EXIST). */
  push(value: VIn, overwrite = false): this {
    this.check();
    this.valueCodec.encode(this.valueView, 0, value as MapScalar);
    this.calls.update(overwrite ? UpdateFlags.EXIST : UpdateFlags.ANY);
    return this;
  }

  /** Remove and return the next value (oldest for a queue, newest for a stack); undefined when empty. */
  pop(): V | undefined {
    this.check();
    if (!this.calls.lookupAndDelete()) return undefined;
    return this.valueCodec.decode(this.valueView, 0) as V;
  }

  /** The value `pop` would return, left in place; undefined when empty. */
  peek(): V | undefined {
    this.check();
    if (!this.calls.lookup()) return undefined;
    return this.valueCodec.decode(this.valueView, 0) as V;
  }

  /** Pop every value, in pop order. */
  drain(): V[] {
    const out: V[] = [];
    for (let v = this.pop(); v !== undefined; v = this.pop()) out.push(v);
    return out;
  }
}

/** BPF_MAP_TYPE_BLOOM_FILTER: `has` is false only for values never pushed (true may be a false positive). */
export class BloomFilterHandle<VIn = MapScalar> extends MapBase {
  push(value: VIn): this {
    this.check();
    this.valueCodec.encode(this.valueView, 0, value as MapScalar);
    this.calls.update(UpdateFlags.ANY);
    return this;
  }

  /** Whether `value` may have been pushed. */
  has(value: VIn): boolean {
    this.check();
    // For bloom filters the kernel reads the value to test from the lookup's value buffer.
    this.valueCodec.encode(this.valueView, 0, value as MapScalar);
    return this.calls.lookup();
  }
}
