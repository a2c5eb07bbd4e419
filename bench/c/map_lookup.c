/* Baseline for the map lookup benchmark: the same bpf(BPF_MAP_LOOKUP_ELEM) from C.
 * Creates a u32 -> u64 hash map, inserts one key, then times ITERS lookups per round and
 * prints the best round's nanoseconds per lookup. usage: map_lookup ITERS ROUNDS */
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_HASH;
	attr.key_size = 4;
	attr.value_size = 8;
	attr.max_entries = 16;
	int fd = bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0) { perror("BPF_MAP_CREATE"); return 1; }
	uint32_t key = 1;
	uint64_t value = 42;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = fd;
	attr.key = (uintptr_t)&key;
	attr.value = (uintptr_t)&value;
	if (bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0) { perror("BPF_MAP_UPDATE_ELEM"); return 1; }
	double best = 1e18;
	for (int r = 0; r < rounds; r++) {
		double t0 = now_ns();
		for (long i = 0; i < iters; i++) {
			memset(&attr, 0, sizeof(attr));
			attr.map_fd = fd;
			attr.key = (uintptr_t)&key;
			attr.value = (uintptr_t)&value;
			if (bpf(BPF_MAP_LOOKUP_ELEM, &attr) < 0) { perror("BPF_MAP_LOOKUP_ELEM"); return 1; }
		}
		double per = (now_ns() - t0) / iters;
		if (per < best) best = per;
	}
	if (value != 42) { fprintf(stderr, "wrong value %llu\n", (unsigned long long)value); return 1; }
	printf("%.2f\n", best);
	close(fd);
	return 0;
}
