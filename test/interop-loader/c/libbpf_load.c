/* Loads an object with libbpf (as a C user's loader would), test-runs every XDP program on
 * a 64-byte frame of the byte given as argv[2], and prints what it saw:
 *   prog <name> <section> <retval or -> / map <name> <type>. Exit 2 when libbpf fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s OBJECT FILLBYTE\n", argv[0]);
		return 1;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "open failed\n");
		return 2;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 2;
	}
	unsigned char frame[64];
	memset(frame, atoi(argv[2]), sizeof(frame));
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj) {
		printf("prog %s %s ", bpf_program__name(p), bpf_program__section_name(p));
		if (bpf_program__type(p) == BPF_PROG_TYPE_XDP) {
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame), .repeat = 1);
			if (bpf_prog_test_run_opts(bpf_program__fd(p), &opts)) {
				fprintf(stderr, "test run failed\n");
				return 2;
			}
			printf("%d\n", (int)opts.retval);
		} else {
			printf("-\n");
		}
	}
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
		printf("map %s %d\n", bpf_map__name(m), bpf_map__type(m));
	bpf_object__close(obj);
	return 0;
}
