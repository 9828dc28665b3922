/*
 * csvlog: spreadsheet rows, formatted from integers and appended whole.
 *
 * Line ends are '\n' alone: LibreOffice and Excel both read them, and
 * every Unix tool (grep, awk, tail -f, gnuplot) handles them without the
 * stray '\r' a CRLF file leaves in the last column. No field ever needs
 * quoting: the time and numbers hold no comma, quote or newline.
 */
#include "csvlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "strbuf.h"

/* Fixed columns before the cells; their order is the file format. */
static const char fixed_columns[] =
	"time,pack_v,current_a,soc_pct,t1_c,t2_c,high_v,low_v,delta_mv";

/* -12 -> ",-1.2": integer arithmetic, so never "-0.0" nor 0.30000001. */
static void add_tenths(struct cg_strbuf *l, long tenths)
{
	cg_strbuf_printf(l, ",");
	cg_strbuf_tenths(l, tenths);
}

static void add_volts(struct cg_strbuf *l, unsigned long mv)
{
	cg_strbuf_printf(l, ",");
	cg_strbuf_thousandths(l, mv);
}

static size_t finish(struct cg_strbuf *l)
{
	cg_strbuf_printf(l, "\n");
	return cg_strbuf_finish(l);
}

size_t cg_csv_header(char *out, size_t cap, unsigned cells)
{
	struct cg_strbuf l = { .buf = out, .cap = cap };

	cg_strbuf_printf(&l, "%s", fixed_columns);
	for (unsigned i = 1; i <= cells; i++)
		cg_strbuf_printf(&l, ",cell%u_v", i);
	return finish(&l);
}

size_t cg_csv_row(char *out, size_t cap, const struct cg_pack *pack,
		  unsigned columns, const char *iso_time, uint64_t now_ms)
{
	struct cg_strbuf l = { .buf = out, .cap = cap };
	bool cells = cg_pack_freshness(pack, CG_REC_CELLS, now_ms) == CG_FRESH;
	bool status = cg_pack_freshness(pack, CG_REC_STATUS, now_ms) == CG_FRESH;
	bool figures = cells && pack->counted > 0;
	const struct cg_status *s = &pack->status;

	cg_strbuf_printf(&l, "%s", iso_time ? iso_time : "");
	if (figures)
		add_volts(&l, pack->total_mv);
	else
		cg_strbuf_printf(&l, ",");
	if (status) {
		add_tenths(&l, s->current_da);
		cg_strbuf_printf(&l, ",%u", s->soc_pct);
		add_tenths(&l, s->t1_dc);
		add_tenths(&l, s->t2_dc);
	} else {
		cg_strbuf_printf(&l, ",,,,");
	}
	if (figures) {
		add_volts(&l, pack->cells.mv[pack->high_index]);
		add_volts(&l, pack->cells.mv[pack->low_index]);
		cg_strbuf_printf(&l, ",%u", pack->delta_mv);
	} else {
		cg_strbuf_printf(&l, ",,,");
	}
	for (unsigned i = 0; i < columns; i++) {
		if (cells && cg_pack_cell_counted(pack, i))
			add_volts(&l, pack->cells.mv[i]);
		else
			cg_strbuf_printf(&l, ",");
	}
	return finish(&l);
}

static const struct cg_appendfile_kind csv_file = {
	.option = "--log",
	.verb = "log",
	.example = "chargery.csv",
	.stopped = "",
	.sync_ms = CG_CSVLOG_SYNC_MS,
	.flags = 0,
};

/* Which of our headers line is, as its cell count; 0 if none. */
static unsigned header_columns(const char *line, size_t len)
{
	char want[CG_CSV_LINE_MAX];

	for (unsigned n = 1; n <= CG_MAX_CELLS; n++) {
		size_t wlen = cg_csv_header(want, sizeof(want), n);
		if (wlen == len && memcmp(want, line, len) == 0)
			return n;
	}
	return 0;
}

/*
 * Reads the first line of an existing log (through its own read-only
 * descriptor: ours is O_WRONLY) and whether the file ends mid-line, which
 * an older program or a full disk may have left.
 */
static int check_existing(struct cg_csvlog *log, off_t size,
			  unsigned cells_hint, struct cg_error *err)
{
	char first[CG_CSV_LINE_MAX];
	int fd = open(log->path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char last;

	if (fd < 0)
		return errno == EACCES ?
		       cg_error_set(err, EX_NOPERM, "cannot read %s to check "
				    "its columns: permission denied; make it "
				    "readable or log to a new file",
				    log->path) :
		       cg_error_set(err, EX_IOERR, "cannot read %s: %s",
				    log->path, strerror(errno));
	n = pread(fd, first, sizeof(first), 0);
	if (n > 0 && pread(fd, &last, 1, size - 1) == 1)
		log->need_newline = last != '\n';
	int read_errno = errno;
	close(fd);
	if (n < 0)
		return cg_error_set(err, EX_IOERR, "cannot read %s: %s",
				    log->path, strerror(read_errno));

	char *end = memchr(first, '\n', (size_t)n);
	unsigned columns = end ? header_columns(first, (size_t)(end - first + 1)) : 0;
	if (!columns)
		return cg_error_set(err, EX_DATAERR, "%s is not a "
				    "chargery-top log (its first line is not "
				    "our header): log to a new file",
				    log->path);
	if (cells_hint && columns != cells_hint)
		return cg_error_set(err, EX_DATAERR, "%s has columns for %u "
				    "cells but --cells says %u: log to a new "
				    "file or pass --cells %u", log->path,
				    columns, cells_hint, columns);
	log->columns = columns;
	log->header_on_file = true;
	return 0;
}

int cg_csvlog_open(struct cg_csvlog *log, const char *path,
		   unsigned cells_hint, struct cg_error *err)
{
	struct cg_error ignored;
	int rc;

	memset(log, 0, sizeof(*log));
	log->path = path;
	if (cg_appendfile_open(&log->file, path, &csv_file, err) < 0)
		return -1;
	/* A pipe or terminal (--log /dev/stdout) has no header to check. */
	if (log->file.regular && log->file.size > 0) {
		rc = check_existing(log, (off_t)log->file.size, cells_hint,
				    err);
		if (rc) {
			cg_appendfile_close(&log->file, &ignored);
			return rc;
		}
	}
	return 0;
}

int cg_csvlog_write(struct cg_csvlog *log, const struct cg_pack *pack,
		    const char *iso_time, uint64_t now_ms,
		    struct cg_error *err)
{
	char buf[2 * CG_CSV_LINE_MAX + 1];
	size_t len = 0;

	if (log->file.fd < 0)
		return cg_error_set(err, EX_SOFTWARE, "%s is not open",
				    log->path ? log->path : "the log");
	if (!pack->have[CG_REC_CELLS] || pack->wired == 0)
		return 0; /* no columns to give yet */

	if (!log->columns)
		log->columns = pack->wired;
	/* An existing file must match from the start; later, a pack that
	 * loses a cell (a lead came off) just leaves its column empty. */
	if ((log->header_on_file && log->rows == 0 &&
	     pack->wired != log->columns) || pack->wired > log->columns)
		return cg_error_set(err, EX_DATAERR, "%s has columns for %u "
				    "cells but the pack has %u wired: log to "
				    "a new file or pass --cells %u", log->path,
				    log->columns, pack->wired, log->columns);

	if (log->need_newline)
		buf[len++] = '\n';
	if (!log->header_on_file)
		len += cg_csv_header(buf + len, sizeof(buf) - len, log->columns);
	size_t row = cg_csv_row(buf + len, sizeof(buf) - len, pack,
				log->columns, iso_time, now_ms);
	if (!row)
		return cg_error_set(err, EX_SOFTWARE, "a log row did not fit "
				    "in %zu bytes", sizeof(buf));
	len += row;

	int rc = cg_appendfile_write(&log->file, buf, len, err);
	if (rc)
		return rc;
	log->need_newline = false;
	log->header_on_file = true;
	log->rows++;
	return 0;
}

int cg_csvlog_sync_due(struct cg_csvlog *log, uint64_t now_ms,
		       struct cg_error *err)
{
	return cg_appendfile_sync_due(&log->file, now_ms, err);
}

int cg_csvlog_close(struct cg_csvlog *log, struct cg_error *err)
{
	return cg_appendfile_close(&log->file, err);
}
