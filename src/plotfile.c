/*
 * plotfile: the --plot picture to a file by create and rename (see
 * plotfile.h).
 */
#include "plotfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "appendfile.h"

static const struct cg_appendfile_kind plot_kind = {
	.option = "--plot",
	.verb = "plot",
	.example = "cells.svg",
	.stopped = "",
};

struct sink {
	int fd;
	int error; /* errno of a failed write, 0 = none */
};

static int sink_write(void *ctx, const char *text, size_t len)
{
	struct sink *s = ctx;

	while (len) {
		ssize_t n = write(s->fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->error = n < 0 ? errno : ENOSPC;
			return -1;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The message appendfile gives for a file it cannot create, saying which
 * option it is about. */
static int open_error(const char *path, int e, struct cg_error *err)
{
	struct cg_error why = { 0 };

	cg_appendfile_open_error(path, &plot_kind, e, &why);
	return cg_error_set(err, why.exit_code, "--plot: %s", why.message);
}

int cg_plotfile_write(const char *path, const struct cg_hist *h,
		      const struct cg_plot_meta *meta, uint64_t from_ms,
		      uint64_t to_ms, struct cg_error *err)
{
	char tmp[PATH_MAX];
	struct sink sink = { -1, 0 };

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return cg_error_set(err, EX_CANTCREAT,
			"--plot %s: the name is too long; give --plot a "
			"shorter file name", path);
	sink.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (sink.fd < 0)
		return open_error(path, errno, err);
	int rc = cg_plot_svg(h, meta, from_ms, to_ms, sink_write, &sink);
	if (rc == 0 && fsync(sink.fd) < 0 && errno != EINVAL)
		sink.error = errno, rc = -1;
	if (close(sink.fd) < 0 && rc == 0)
		sink.error = errno, rc = -1;
	if (rc == 0 && rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return open_error(path, e, err);
	}
	if (rc < 0) {
		unlink(tmp);
		return cg_error_set(err, EX_IOERR,
			"--plot %s: writing the picture failed: %s; free some "
			"space or plot somewhere else", path,
			strerror(sink.error ? sink.error : EIO));
	}
	return 0;
}
