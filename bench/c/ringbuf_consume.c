/* Baseline for the ring buffer benchmark: libbpf's ring_buffer__poll consuming the records of
 * the same producer program. Inherits the ring buffer map as fd 3 and the producer program
 * (XDP, run by BPF_PROG_TEST_RUN on a second thread, REPEAT times) as fd 4. Each record is
 * decoded: its u64 field is read and summed (the TypeScript side does the same). Prints:
 * consumed elapsed_ns checksum.
 * usage: ringbuf_consume REPEAT            concurrent producer and consumer
 *        ringbuf_consume REPEAT drain N    N times: fill the ring (REPEAT runs), then time
 *                                          only ring_buffer__consume draining it */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct event {
	uint64_t seq;
	uint32_t cpu;
	uint32_t len;
};

static long consumed;
static uint64_t checksum;
static atomic_int producer_done;
static int repeat;

static int on_record(void *ctx, void *data, size_t size)
{
	const struct event *e = data;
	(void)ctx;
	if (size < sizeof(*e))
		return -1;
	checksum += e->seq;
	consumed++;
	return 0;
}

static void *produce(void *arg)
{
	unsigned char pkt[64] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = repeat);
	(void)arg;
	if (bpf_prog_test_run_opts(4, &opts) != 0)
		perror("BPF_PROG_TEST_RUN");
	atomic_store(&producer_done, 1);
	return NULL;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	pthread_t t;
	struct ring_buffer *rb;
	double t0;

	repeat = argc > 1 ? atoi(argv[1]) : 1000000;
	rb = ring_buffer__new(3, on_record, NULL, NULL);
	if (!rb) {
		perror("ring_buffer__new");
		return 1;
	}
	if (argc > 3 && strcmp(argv[2], "drain") == 0) {
		int rounds = atoi(argv[3]);
		double spent = 0;
		for (int i = 0; i < rounds; i++) {
			produce(NULL);
			t0 = now_ns();
			ring_buffer__consume(rb);
			spent += now_ns() - t0;
		}
		printf("%ld %.0f %llu\n", consumed, spent, (unsigned long long)checksum);
		ring_buffer__free(rb);
		return 0;
	}
	t0 = now_ns();
	pthread_create(&t, NULL, produce, NULL);
	while (!atomic_load(&producer_done))
		ring_buffer__poll(rb, 50);
	pthread_join(t, NULL);
	ring_buffer__consume(rb);
	printf("%ld %.0f %llu\n", consumed, now_ns() - t0, (unsigned long long)checksum);
	ring_buffer__free(rb);
	return 0;
}
