/*
 * Files for the recording tests: a fresh empty file under /tmp, and a
 * whole file written or read back in one call, failing the test on any
 * error. Used by the recording tests (tests/record_fixture.h) and
 * tests/test_rechostile.c.
 */
#ifndef CG_TEST_RECFILES_H
#define CG_TEST_RECFILES_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <unistd.h>

static inline void temp_path(char path[64])
{
	snprintf(path, 64, "/tmp/cg-test-record-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static inline void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline size_t read_file(const char *path, uint8_t *out, size_t cap)
{
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	size_t n = fread(out, 1, cap, f);
	assert_true(n < cap);
	fclose(f);
	return n;
}

#endif
