/**
 * loader/perf: consuming BPF_MAP_TYPE_PERF_EVENT_ARRAY maps: one perf ring per CPU, samples
 * read in place (copied only when they wrap), lost-sample records counted and reported.
 */
export { PerfRing, type LostVisitor, type PerfRingMemory, type SampleVisitor } from "./ring.js";
export { PerfBufferReader, type PerfBufferOptions } from "./reader.js";
