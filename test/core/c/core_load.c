/* Loads a CO-RE object with libbpf (which resolves its relocations against the running
 * kernel's BTF, or the BTF file given as the second argument), runs every program once with BPF_PROG_TEST_RUN and prints, one per line:
 *   self <pid> <ppid>                 (this process, for the task fixtures)
 *   prog <name> <retval>
 *   xlated <name> <hex of the kernel's translated instructions>
 *   map <name> <hex of key 0's value>  (global data: .bss, .data)
 * Raw tracepoint programs run with no context; tc programs on a 64-byte frame with
 * skb->mark = 777 and skb->priority = 5. Exit 2 when libbpf fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static void hex(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int run(struct bpf_program *p)
{
	int fd = bpf_program__fd(p);
	unsigned char frame[64];
	struct __sk_buff skb;
	memset(frame, 0, sizeof(frame));
	memset(&skb, 0, sizeof(skb));
	skb.mark = 777;
	skb.priority = 5;
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	if (bpf_program__type(p) == BPF_PROG_TYPE_SCHED_CLS) {
		opts.data_in = frame;
		opts.data_size_in = sizeof(frame);
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
		opts.repeat = 1;
	}
	if (bpf_prog_test_run_opts(fd, &opts)) {
		fprintf(stderr, "test run of %s failed\n", bpf_program__name(p));
		return -1;
	}
	printf("prog %s %u\n", bpf_program__name(p), opts.retval);

	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	__u32 size = info.xlated_prog_len;
	unsigned char *insns = calloc(1, size);
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = size;
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	printf("xlated %s ", bpf_program__name(p));
	hex(insns, size);
	free(insns);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [TARGET_BTF]\n", argv[0]);
		return 1;
	}
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = argc > 2 ? argv[2] : NULL);
	struct bpf_object *obj = bpf_object__open_file(argv[1], &open_opts);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "open failed\n");
		return 2;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load failed\n");
		return 2;
	}
	printf("self %d %d\n", getpid(), getppid());
	struct bpf_program *p;
	bpf_object__for_each_program(p, obj)
		if (run(p))
			return 2;
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		if (!strstr(name, ".bss") && !strstr(name, ".data"))
			continue;
		size_t vs = bpf_map__value_size(m);
		unsigned char *v = calloc(1, vs);
		int zero = 0;
		if (bpf_map_lookup_elem(bpf_map__fd(m), &zero, v))
			return 2;
		printf("map %s ", strchr(name, '.'));
		hex(v, vs);
		free(v);
	}
	bpf_object__close(obj);
	return 0;
}
