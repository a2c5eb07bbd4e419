/**
 * loader/ringbuf: consuming BPF ring buffers (BPF_MAP_TYPE_RINGBUF) in place. `Ring` maps
 * one buffer and drains its records honouring the busy and discard bits; `RingBufReader`
 * is the user-facing consumer (async iteration, callbacks, raw views); `RingBufPoller`
 * waits for several at once. Waits run on a koffi worker thread, never the event loop.
 */
export { Ring, type BatchVisitor, type RawVisitor, type RecordBatch, type RingMemory } from "./ring.js";
export { RingBufReader, type RecordDecoder, type RunOptions } from "./reader.js";
export { RingBufPoller } from "./multi.js";
