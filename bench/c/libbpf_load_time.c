/* libbpf's load time for objects, in one process (what `bpftool prog loadall` does inside):
 * for each object given, the best of ROUNDS runs of open + load + close, in ms, one per line:
 *   <path> <ms>
 * usage: libbpf_load_time ROUNDS OBJECT... */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <bpf/libbpf.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level; (void)fmt; (void)args;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s ROUNDS OBJECT...\n", argv[0]);
		return 1;
	}
	libbpf_set_print(quiet);
	int rounds = atoi(argv[1]);
	for (int i = 2; i < argc; i++) {
		double best = 1e9;
		for (int r = 0; r < rounds; r++) {
			double t0 = now_ms();
			struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
			if (!obj || libbpf_get_error(obj) || bpf_object__load(obj)) {
				fprintf(stderr, "%s: libbpf could not load it\n", argv[i]);
				return 2;
			}
			bpf_object__close(obj);
			double t = now_ms() - t0;
			if (t < best)
				best = t;
		}
		printf("%s %.4f\n", argv[i], best);
	}
	return 0;
}
