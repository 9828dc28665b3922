/*
 * bench_run: runs one command for the benchmarks and says what it cost.
 *
 *   bench_run [-p] [-t SECONDS] [-g MS] -- COMMAND [ARG]...
 *
 *   -p          run COMMAND on a pseudo-terminal of 80x24 that this program
 *               owns, and count every byte COMMAND writes to it
 *   -t SECONDS  stop COMMAND after this long (q on the pty, else SIGTERM);
 *               without -t, wait for it to exit
 *   -g MS       with -p: writes separated by less than MS (default 30) are
 *               one burst, i.e. one screen update
 *
 * Prints "key value" lines: wall_s, user_s, sys_s, maxrss_kb (the peak
 * RSS, VmHWM), voluntary (context switches where COMMAND waited: its
 * wakeups), involuntary, exit; with -p also first_byte_ms (from fork to
 * the first byte on the terminal), bytes, and "burst MS BYTES" per update.
 * CPU and RSS come from wait4(), so they cover exactly COMMAND's life.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BURSTS 100000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

struct burst {
	double at_ms;
	long bytes;
};

static struct burst bursts[MAX_BURSTS];

int main(int argc, char **argv)
{
	bool use_pty = false;
	double limit_s = 0, gap_ms = 30;
	int c;

	while ((c = getopt(argc, argv, "+pt:g:")) != -1) {
		switch (c) {
		case 'p':
			use_pty = true;
			break;
		case 't':
			limit_s = atof(optarg);
			break;
		case 'g':
			gap_ms = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_run [-p] [-t SECONDS] [-g MS] -- COMMAND [ARG]...\n");
			return 64;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "bench_run: no COMMAND given\n");
		return 64;
	}

	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int master = -1;
	double start = now_ms();
	pid_t pid = use_pty ? forkpty(&master, NULL, NULL, &ws) : fork();

	if (pid < 0) {
		perror("bench_run: fork");
		return 71;
	}
	if (pid == 0) {
		/* Its own process group, so a stop reaches a wrapper
		 * (strace) and what it runs alike. forkpty() made a new
		 * session already. */
		if (!use_pty)
			setpgid(0, 0);
		if (!use_pty) {
			int null = open("/dev/null", O_RDONLY);
			if (null >= 0)
				dup2(null, STDIN_FILENO);
		}
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "bench_run: cannot run %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}

	double first_byte = -1, last_byte = -1;
	long total = 0;
	int nbursts = 0;
	bool stopping = false;
	double stop_at = limit_s > 0 ? start + limit_s * 1e3 : -1;
	double kill_at = -1;

	for (;;) {
		double t = now_ms();
		int status;
		struct rusage ru;

		if (stop_at > 0 && t >= stop_at && !stopping) {
			stopping = true;
			/* q is how a user leaves the table; anything else
			 * (headless, a stuck program) gets SIGTERM. */
			if (!use_pty || write(master, "q", 1) != 1)
				kill(-pid, SIGTERM);
			kill_at = t + 2000;
		}
		if (kill_at > 0 && t >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = -1;
		}

		pid_t done = wait4(pid, &status, WNOHANG, &ru);
		if (done == pid) {
			double wall = (now_ms() - start) / 1e3;

			/* What the command wrote just before it exited. */
			if (use_pty) {
				char buf[65536];
				ssize_t n;
				struct pollfd p = { .fd = master, .events = POLLIN };
				while (poll(&p, 1, 0) == 1 &&
				       (n = read(master, buf, sizeof(buf))) > 0)
					total += n;
			}
			printf("wall_s %.3f\nuser_s %.6f\nsys_s %.6f\n", wall,
			       tv_s(ru.ru_utime), tv_s(ru.ru_stime));
			printf("maxrss_kb %ld\nvoluntary %ld\ninvoluntary %ld\n",
			       ru.ru_maxrss, ru.ru_nvcsw, ru.ru_nivcsw);
			printf("exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status)
					: 128 + WTERMSIG(status));
			if (use_pty) {
				printf("first_byte_ms %.3f\nbytes %ld\n", first_byte,
				       total);
				for (int i = 0; i < nbursts; i++)
					printf("burst %.1f %ld\n", bursts[i].at_ms,
					       bursts[i].bytes);
			}
			return 0;
		}

		if (!use_pty) {
			usleep(1000);
			continue;
		}
		struct pollfd p = { .fd = master, .events = POLLIN };
		if (poll(&p, 1, 10) == 1) {
			char buf[65536];
			ssize_t n = read(master, buf, sizeof(buf));
			double at = now_ms() - start;

			if (n <= 0) { /* the slave side closed: wait for exit */
				usleep(10000);
				continue;
			}
			if (first_byte < 0)
				first_byte = at;
			total += n;
			if (nbursts > 0 && at - last_byte < gap_ms) {
				bursts[nbursts - 1].bytes += n;
			} else if (nbursts < MAX_BURSTS) {
				bursts[nbursts].at_ms = at;
				bursts[nbursts].bytes = n;
				nbursts++;
			}
			last_byte = at;
		}
	}
}
