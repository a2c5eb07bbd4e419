/**
 * Byte layouts of `union bpf_attr` members and related structs, written from the kernel's
 * include/uapi/linux/bpf.h (and perf_event.h). Offsets are in bytes; `size` is what we pass
 * as the attr size. The kernel accepts any size up to its own, requiring unknown trailing
 * bytes to be zero, so a size covering the fields we use works on older and newer kernels.
 */

/** enum bpf_cmd. */
export const BpfCmd = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  OBJ_PIN: 6,
  OBJ_GET: 7,
  PROG_ATTACH: 8,
  PROG_DETACH: 9,
  PROG_TEST_RUN: 10,
  OBJ_GET_INFO_BY_FD: 15,
  RAW_TRACEPOINT_OPEN: 17,
  BTF_LOAD: 18,
  MAP_LOOKUP_AND_DELETE_ELEM: 21,
  MAP_FREEZE: 22,
  MAP_LOOKUP_BATCH: 24,
  MAP_LOOKUP_AND_DELETE_BATCH: 25,
  MAP_UPDATE_BATCH: 26,
  MAP_DELETE_BATCH: 27,
  LINK_CREATE: 28,
  LINK_DETACH: 34,
} as const;
export type BpfCmdName = keyof typeof BpfCmd;
export type BpfCmdNumber = (typeof BpfCmd)[BpfCmdName];

export const BPF_CMD_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(BpfCmd).map(([k, v]) => [v, `BPF_${k}`]),
);

/** BPF_OBJ_NAME_LEN: names are at most 15 bytes plus NUL. */
export const BPF_OBJ_NAME_LEN = 16;

export const MapCreateAttr = {
  map_type: 0, key_size: 4, value_size: 8, max_entries: 12, map_flags: 16, inner_map_fd: 20,
  numa_node: 24, map_name: 28, map_ifindex: 44, btf_fd: 48, btf_key_type_id: 52,
  btf_value_type_id: 56, btf_vmlinux_value_type_id: 60, map_extra: 64, size: 72,
} as const;

/** BPF_MAP_*_ELEM and BPF_MAP_GET_NEXT_KEY (next_key shares the value slot). */
export const MapElemAttr = { map_fd: 0, key: 8, value: 16, next_key: 16, flags: 24, size: 32 } as const;

/** BPF_MAP_*_BATCH. */
export const MapBatchAttr = {
  in_batch: 0, out_batch: 8, keys: 16, values: 24, count: 32, map_fd: 36, elem_flags: 40, flags: 48, size: 56,
} as const;

export const ProgLoadAttr = {
  prog_type: 0, insn_cnt: 4, insns: 8, license: 16, log_level: 24, log_size: 28, log_buf: 32,
  kern_version: 40, prog_flags: 44, prog_name: 48, prog_ifindex: 64, expected_attach_type: 68,
  prog_btf_fd: 72, func_info_rec_size: 76, func_info: 80, func_info_cnt: 88,
  line_info_rec_size: 92, line_info: 96, line_info_cnt: 104, attach_btf_id: 108,
  attach_prog_fd: 112, core_relo_cnt: 116, fd_array: 120, core_relos: 128,
  core_relo_rec_size: 136, log_true_size: 140, size: 144,
} as const;

export const ObjInfoAttr = { bpf_fd: 0, info_len: 4, info: 8, size: 16 } as const;

/** struct bpf_prog_info (the prefix we read). */
export const ProgInfo = {
  type: 0, id: 4, tag: 8, jited_prog_len: 16, xlated_prog_len: 20, load_time: 40,
  created_by_uid: 48, nr_map_ids: 52, name: 64, btf_id: 128, run_time_ns: 192, run_cnt: 200,
  verified_insns: 216, size: 232,
} as const;

/** struct bpf_map_info (the prefix we read). */
export const MapInfo = {
  type: 0, id: 4, key_size: 8, value_size: 12, max_entries: 16, map_flags: 20, name: 24, map_extra: 80, size: 88,
} as const;

export const LinkCreateAttr = {
  prog_fd: 0, target_fd: 4, target_ifindex: 4, attach_type: 8, flags: 12,
  /** union: perf_event.bpf_cookie, target_btf_id, tcx.relative_fd, ... */
  perf_event_bpf_cookie: 16, target_btf_id: 16, tracing_cookie: 24,
  tcx_relative_fd: 16, tcx_expected_revision: 24, size: 48,
} as const;

/** BPF_OBJ_PIN / BPF_OBJ_GET. */
export const ObjPinAttr = { pathname: 0, bpf_fd: 8, file_flags: 12, size: 16 } as const;

/** BPF_OBJ_GET file_flags. */
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;

export const RawTracepointOpenAttr = { name: 0, prog_fd: 8, size: 16 } as const;

export const TestRunAttr = {
  prog_fd: 0, retval: 4, data_size_in: 8, data_size_out: 12, data_in: 16, data_out: 24,
  repeat: 32, duration: 36, ctx_size_in: 40, ctx_size_out: 44, ctx_in: 48, ctx_out: 56,
  flags: 64, cpu: 68, batch_size: 72, size: 80,
} as const;

export const BtfLoadAttr = {
  btf: 0, btf_log_buf: 8, btf_size: 16, btf_log_size: 20, btf_log_level: 24,
  btf_log_true_size: 28, size: 32,
} as const;

/** struct perf_event_attr: the fields we set; size PERF_ATTR_SIZE_VER7 (128). */
export const PerfEventAttr = {
  type: 0, size_field: 4, config: 8, sample_period: 16, sample_type: 24, read_format: 32,
  flags: 40, wakeup_events: 48, bp_type: 52, config1: 56, config2: 64, size: 128,
} as const;

/** perf_event_attr.flags bits we set. */
export const PERF_ATTR_FLAG_DISABLED = 1n << 0n;
/** sample_period holds a frequency (Hz) instead of a period. */
export const PERF_ATTR_FLAG_FREQ = 1n << 10n;

/** enum bpf_attach_type values we use. */
export const AttachType = {
  CGROUP_INET_INGRESS: 0,
  CGROUP_INET_EGRESS: 1,
  CGROUP_INET_SOCK_CREATE: 2,
  CGROUP_SOCK_OPS: 3,
  CGROUP_DEVICE: 6,
  CGROUP_INET4_BIND: 8,
  CGROUP_INET6_BIND: 9,
  CGROUP_INET4_CONNECT: 10,
  CGROUP_INET6_CONNECT: 11,
  CGROUP_INET4_POST_BIND: 12,
  CGROUP_INET6_POST_BIND: 13,
  CGROUP_UDP4_SENDMSG: 14,
  CGROUP_UDP6_SENDMSG: 15,
  CGROUP_SYSCTL: 18,
  CGROUP_UDP4_RECVMSG: 19,
  CGROUP_UDP6_RECVMSG: 20,
  CGROUP_GETSOCKOPT: 21,
  CGROUP_SETSOCKOPT: 22,
  TRACE_RAW_TP: 23,
  TRACE_FENTRY: 24,
  TRACE_FEXIT: 25,
  MODIFY_RETURN: 26,
  LSM_MAC: 27,
  CGROUP_INET4_GETPEERNAME: 29,
  CGROUP_INET6_GETPEERNAME: 30,
  CGROUP_INET4_GETSOCKNAME: 31,
  CGROUP_INET6_GETSOCKNAME: 32,
  CGROUP_INET_SOCK_RELEASE: 34,
  XDP: 37,
  PERF_EVENT: 41,
  TRACE_KPROBE_MULTI: 42,
  /** Kernels >= 6.6. */
  TCX_INGRESS: 46,
  TCX_EGRESS: 47,
} as const;

export const PERF_TYPE_SOFTWARE = 1;
export const PERF_TYPE_TRACEPOINT = 2;
export const PERF_COUNT_SW_CPU_CLOCK = 0;
export const PERF_FLAG_FD_CLOEXEC = 8;
/** _IO('$', 0) */
export const PERF_EVENT_IOC_ENABLE = 0x2400;
/** _IOW('$', 8, __u32) */
export const PERF_EVENT_IOC_SET_BPF = 0x40042408;
