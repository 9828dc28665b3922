/*
 * vusb-feed: the far side of a virtual USB-serial adapter, for the test
 * harness in tests/vusb/vusb.sh. Test-only.
 *
 *   vusb-feed [--link PATH] [--cooked] [--] COMMAND [ARG]...
 *
 * Opens a pty, prints its slave's path on a line of its own (and links PATH
 * to it), runs COMMAND with its standard output on a pipe and copies what
 * COMMAND writes into the pty: chargery-sim --stdout becomes a BMS wired to
 * an adapter whose /dev node the harness binds onto the slave.
 *
 * --cooked leaves the slave as hostile as a tty can be set, rather than
 * raw: XON/XOFF, CR/NL mapping, ISTRIP, PARMRK, ICANON, ECHO, ISIG and
 * IEXTEN all on, as a getty, stty or an earlier program may leave a port;
 * the reader must make it raw itself or lose bytes.
 *
 * Signals are the test's hands:
 *   SIGUSR1           unplug during a frame: the next chunk holding a frame
 *                     header is written up to the middle of that frame, then
 *                     the pty is hung up (the master closed) and we exit;
 *   SIGTERM, SIGINT,
 *   SIGHUP            unplug now.
 * Either way COMMAND is stopped, the link removed, and the exit status is 0.
 * The same happens when the process that started us dies.
 *
 * Bytes that do not fit in the pty (nobody reading) are dropped, as a real
 * adapter's buffer would overflow; the feeder never blocks on the reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FRAME_HEADER 0x24

static volatile sig_atomic_t cut_requested;
static volatile sig_atomic_t quit_requested;

static void on_cut(int signal_number)
{
	(void)signal_number;
	cut_requested = 1;
}

static void on_quit(int signal_number)
{
	(void)signal_number;
	quit_requested = 1;
}

static void handle_signal(int signal_number, void (*handler)(int))
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	action.sa_handler = handler;
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART: poll() must return so the flags are seen. */
	sigaction(signal_number, &action, NULL);
}

static int usage(void)
{
	fprintf(stderr, "usage: vusb-feed [--link PATH] [--cooked] [--] COMMAND "
			"[ARG]...\n"
			"  SIGUSR1: hang up in the middle of the next frame; "
			"SIGTERM: hang up now\n");
	return 64;
}

/* The master of a new pty whose slave is raw: no echo coming back, no
 * newline translation, as a USB-serial adapter delivers bytes. */
static int open_pty(char *slave_path, size_t cap, bool cooked)
{
	struct termios settings;
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	const char *name;

	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0)
		return -1;
	name = ptsname(master);
	if (!name || strlen(name) >= cap)
		return -1;
	strcpy(slave_path, name);
	/* On Linux, termios requests on the master act on the slave. */
	if (tcgetattr(master, &settings) == 0) {
		cfmakeraw(&settings);
		if (cooked) {
			settings.c_iflag |= IXON | IXOFF | IXANY | ICRNL |
					    INLCR | IGNCR | ISTRIP | PARMRK |
					    INPCK;
			settings.c_lflag |= ICANON | ECHO | ISIG | IEXTEN;
		}
		tcsetattr(master, TCSANOW, &settings);
	}
	if (fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) != 0)
		return -1;
	return master;
}

static pid_t start_command(char *const argv[], int *output)
{
	int pipe_ends[2];
	pid_t child;

	if (pipe(pipe_ends) != 0)
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		/* The command goes when we go, however we go. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(pipe_ends[1], STDOUT_FILENO);
		close(pipe_ends[0]);
		close(pipe_ends[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "vusb-feed: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(pipe_ends[1]);
	*output = pipe_ends[0];
	return child;
}

/* Where to stop inside chunk to end in the middle of a frame, or 0 when
 * the chunk holds no whole header (with its length byte) to cut in. */
static size_t middle_of_frame(const unsigned char *chunk, size_t length)
{
	for (size_t i = 0; i + 3 < length; i++) {
		if (chunk[i] != FRAME_HEADER || chunk[i + 1] != FRAME_HEADER)
			continue;
		size_t frame_length = chunk[i + 3];
		size_t cut = i + (frame_length > 8 ? frame_length / 2 : 4);

		return cut < length ? cut : length - 1;
	}
	return 0;
}

/* Writes what fits; the rest is lost, like an overflowing adapter. */
static void feed(int master, const unsigned char *bytes, size_t length)
{
	while (length > 0) {
		ssize_t written = write(master, bytes, length);

		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return;
		bytes += written;
		length -= (size_t)written;
	}
}

int main(int argc, char *argv[])
{
	const char *link_path = NULL;
	char slave_path[128];
	unsigned char chunk[4096];
	int first = 1, master, input, status;
	bool cooked = false;
	pid_t child;

	while (first < argc && argv[first][0] == '-') {
		if (strcmp(argv[first], "--") == 0) {
			first++;
			break;
		}
		if (strcmp(argv[first], "--cooked") == 0) {
			cooked = true;
			first++;
			continue;
		}
		if (strcmp(argv[first], "--link") == 0 && first + 1 < argc) {
			link_path = argv[first + 1];
			first += 2;
			continue;
		}
		return usage();
	}
	if (first >= argc)
		return usage();

	/* A test script that dies must not leave its adapters running. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	handle_signal(SIGUSR1, on_cut);
	handle_signal(SIGTERM, on_quit);
	handle_signal(SIGINT, on_quit);
	handle_signal(SIGHUP, on_quit);
	signal(SIGPIPE, SIG_IGN);

	master = open_pty(slave_path, sizeof(slave_path), cooked);
	if (master < 0) {
		fprintf(stderr, "vusb-feed: cannot open a pty: %s\n",
			strerror(errno));
		return 71;
	}
	if (link_path) {
		unlink(link_path);
		if (symlink(slave_path, link_path) != 0) {
			fprintf(stderr, "vusb-feed: cannot link %s: %s\n",
				link_path, strerror(errno));
			return 73;
		}
	}
	child = start_command(&argv[first], &input);
	if (child < 0) {
		fprintf(stderr, "vusb-feed: cannot start %s: %s\n", argv[first],
			strerror(errno));
		if (link_path)
			unlink(link_path);
		return 71;
	}
	printf("%s\n", slave_path);
	fflush(stdout);

	while (!quit_requested) {
		struct pollfd wait_for = { .fd = input, .events = POLLIN };
		ssize_t count;
		size_t cut;

		if (poll(&wait_for, 1, -1) < 0)
			continue; /* a signal: look at the flags */
		count = read(input, chunk, sizeof(chunk));
		if (count < 0 && errno == EINTR)
			continue;
		if (count <= 0)
			break; /* the command ended: the BMS went quiet for good */
		cut = cut_requested ? middle_of_frame(chunk, (size_t)count) : 0;
		if (cut > 0) {
			feed(master, chunk, cut);
			fprintf(stderr, "vusb-feed: hung up inside a frame, "
					"after %zu of this chunk's %zd bytes\n",
				cut, count);
			/* Let the reader take the half frame before the hang-up,
			 * as a UART would have shifted it out. */
			nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
			break;
		}
		feed(master, chunk, (size_t)count);
	}

	close(master);
	if (link_path)
		unlink(link_path);
	close(input);
	kill(child, SIGTERM);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
