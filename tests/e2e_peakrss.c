/*
 * e2e_peakrss: runs a program with stdout and stderr to /dev/null and
 * prints its peak RSS in kB (ru_maxrss from wait4). A small program of its
 * own, so the figure is not that of a shell or Python forked before exec.
 *
 *   e2e_peakrss PROGRAM [ARGS...]
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rusage usage;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: e2e_peakrss PROGRAM [ARGS...]\n");
		return 64;
	}
	pid_t pid = fork();
	if (pid < 0)
		return 71;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) < 0)
		return 71;
	printf("%ld\n", usage.ru_maxrss);
	return 0;
}
