/*
 * bench_latency: how long from a frame's last byte on the port to the
 * screen update it causes being written to the terminal.
 *
 *   bench_latency [-n SAMPLES] [-l LINK] [-x] [-w MS] -- CHARGERY-TOP [ARG]...
 *
 * -l LINK makes LINK a symbolic link to the port (for a publisher started
 * apart, e.g. chargery-top --mqtt, whose table is then read through the
 * broker); -x does not append the port to the command (it reads
 * mqtt://... instead); -w MS waits that long for the first screen (1000
 * by default; a broker's round trips want more).
 *
 * Makes two pseudo-terminals: the "port" (raw, as a USB adapter would be;
 * this program writes the BMS's frames into its master side) and an 80x24
 * terminal on which CHARGERY-TOP runs with the port's path as its last
 * argument. After the first screen has settled it sends, at random gaps
 * of 250-450 ms, a 0x57 frame whose current differs from the last one, so
 * every frame changes what the table shows, and times the first byte on
 * the terminal after the frame's last byte was written. Everything the
 * terminal says is drained between samples, so a sample is the next
 * screen update. (A 1 s tick redraw can land in a sample's window; the
 * median is what the budget reads.)
 *
 * Prints "samples N", "median_ms X", "p90_ms Y", "max_ms Z".
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
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "encode.h"

#define MAX_SAMPLES 1000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Reads whatever the terminal says for ms milliseconds. */
static void drain(int fd, double ms)
{
	double end = now_ms() + ms;
	char buf[65536];

	for (;;) {
		double left = end - now_ms();
		if (left <= 0)
			return;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)left + 1) > 0 &&
		    read(fd, buf, sizeof(buf)) <= 0)
			return;
	}
}

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void send_frame(int port, int32_t current_da)
{
	struct cg_status s = {
		.charge_end_mv = 3650,
		.mode = CG_MODE_CHARGE,
		.current_da = current_da,
		.t1_dc = 215,
		.t2_dc = 220,
		.soc_pct = 63,
		.has_protection = true,
		.discharge_end_mv = 2800,
	};
	uint8_t frame[CG_FRAME_MAX];
	size_t n = cg_encode_status(&s, CG_FW_V126, frame);

	if (write(port, frame, n) != (ssize_t)n) {
		perror("bench_latency: write to the port");
		exit(1);
	}
}

static void send_cells(int port)
{
	struct cg_cells c = { .count = 16, .has_energy = true,
			      .energy_mwh = 3322935, .charge_mah = 62905 };
	uint8_t frame[CG_FRAME_MAX];

	for (int i = 0; i < 16; i++)
		c.mv[i] = (uint16_t)(3300 + i);
	size_t n = cg_encode_cells(&c, CG_FW_V126, frame);
	if (write(port, frame, n) != (ssize_t)n) {
		perror("bench_latency: write to the port");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	int samples = 40, argi = 1, settle_ms = 1000;
	const char *link_path = NULL;
	bool append_port = true;
	static double lat[MAX_SAMPLES];

	while (argi < argc && strcmp(argv[argi], "--") != 0) {
		if (strcmp(argv[argi], "-n") == 0 && argi + 1 < argc)
			samples = atoi(argv[++argi]);
		else if (strcmp(argv[argi], "-l") == 0 && argi + 1 < argc)
			link_path = argv[++argi];
		else if (strcmp(argv[argi], "-w") == 0 && argi + 1 < argc)
			settle_ms = atoi(argv[++argi]);
		else if (strcmp(argv[argi], "-x") == 0)
			append_port = false;
		argi++;
	}
	if (argi >= argc - 1 || samples < 1 || samples > MAX_SAMPLES) {
		fprintf(stderr, "usage: bench_latency [-n N] -- COMMAND [ARG]...\n");
		return 2;
	}
	argi++;

	int port_master, port_slave;
	char port_path[256];
	struct termios raw;
	if (openpty(&port_master, &port_slave, port_path, NULL, NULL) < 0) {
		perror("bench_latency: openpty");
		return 1;
	}
	tcgetattr(port_slave, &raw);
	cfmakeraw(&raw);
	tcsetattr(port_slave, TCSANOW, &raw);
	if (link_path && symlink(port_path, link_path) < 0) {
		perror("bench_latency: symlink");
		return 1;
	}

	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	int term;
	pid_t pid = forkpty(&term, NULL, NULL, &ws);
	if (pid < 0) {
		perror("bench_latency: forkpty");
		return 1;
	}
	if (pid == 0) {
		char **args = calloc((size_t)(argc - argi + 2), sizeof(*args));
		int k = 0;

		for (int i = argi; i < argc; i++)
			args[k++] = argv[i];
		if (append_port)
			args[k++] = port_path;
		setenv("TERM", "xterm-256color", 1);
		execvp(args[0], args);
		_exit(127);
	}

	drain(term, settle_ms);
	send_cells(port_master);
	send_frame(port_master, 100);
	drain(term, 600);

	srand(12345);
	for (int i = 0; i < samples; i++) {
		drain(term, 250 + rand() % 200);
		send_frame(port_master, 100 + (i + 1) * 7);
		double t0 = now_ms();
		struct pollfd p = { .fd = term, .events = POLLIN };
		if (poll(&p, 1, 2000) <= 0) {
			fprintf(stderr, "bench_latency: no screen update within 2 s\n");
			kill(pid, SIGTERM);
			return 1;
		}
		lat[i] = now_ms() - t0;
	}
	if (write(term, "q", 1) != 1)
		kill(pid, SIGTERM);
	drain(term, 300);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (link_path)
		unlink(link_path);

	qsort(lat, (size_t)samples, sizeof(lat[0]), compare);
	printf("samples %d\n", samples);
	printf("median_ms %.3f\n", lat[samples / 2]);
	printf("p90_ms %.3f\n", lat[samples * 9 / 10]);
	printf("max_ms %.3f\n", lat[samples - 1]);
	return 0;
}
