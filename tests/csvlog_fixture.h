/*
 * What the csvlog tests share: a temporary file under /tmp with given
 * content, a whole file read back as a string, and a call's result as an
 * exit code. Used by tests/test_csvlog.c and tests/test_csvlog_batch.c.
 */
#ifndef CG_TEST_CSVLOG_FIXTURE_H
#define CG_TEST_CSVLOG_FIXTURE_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "csvlog.h"
#include "csv_fixture.h"

struct tmp {
	char path[64];
};

static inline void make_tmp(struct tmp *t, const char *content)
{
	snprintf(t->path, sizeof(t->path), "/tmp/test_csvlog.XXXXXX");
	int fd = mkstemp(t->path);
	assert_true(fd >= 0);
	if (content)
		assert_int_equal(write(fd, content, strlen(content)),
				 (ssize_t)strlen(content));
	close(fd);
}

/* A call's result as an exit code: 0, or the code it put in err. */
static inline int exit_code_of(int rc, const struct cg_error *err)
{
	assert_true(rc == 0 || rc == -1);
	return rc == 0 ? 0 : err->exit_code;
}

static inline void read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

#endif
