/*
 * source: the calls every kind of source shares (see source.h).
 */
#include "source.h"

#include <stdlib.h>
#include <string.h>

void cg_source_position(const struct cg_source *src, uint64_t now_ms,
			struct cg_source_position *out)
{
	if (src->ops->position) {
		src->ops->position(src, now_ms, out);
		return;
	}
	memset(out, 0, sizeof(*out));
}

void cg_source_close(struct cg_source *src)
{
	if (!src)
		return;
	src->ops->close(src);
	free(src->state);
	free(src);
}
