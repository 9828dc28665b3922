# make bench: the performance budgets of the issue, measured on this
# machine; tests/bench.sh writes the figures to BENCHMARKS.md. About five
# minutes: the 60 s live run (serial, tcp:// and ws:// sources at once) and
# a year of daily replays take most of it.
#   LIVE_S=10 BENCH_OUT=/tmp/bench.md make bench
# is a quick check of every row: the live run 10 s (at least 7: the
# terminal bytes skip its first 5 s), the report written outside the tree.

BENCH_PROGRAMS := $(patsubst tests/%.c,$(B)/bench/%,$(wildcard tests/bench_*.c))

.PHONY: bench

bench:
	@$(MAKE) --no-print-directory all $(BENCH_PROGRAMS)
	B=$(B) tests/bench.sh

$(B)/bench/%: tests/%.c $(OBJ) | $(B)/bench
	$(CC) $(WARN) $(ALL_CPPFLAGS) $(CFLAGS) -o $@ $< $(OBJ) $(TOP_LIBS) $(LDLIBS)

$(B)/bench:
	mkdir -p $@
