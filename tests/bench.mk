# make bench: the performance budgets of the issue, measured on this
# machine; tests/bench.sh writes the figures to BENCHMARKS.md. About two
# minutes, most of it the 60 s live run.

BENCH_PROGRAMS := $(patsubst tests/%.c,$(B)/bench/%,$(wildcard tests/bench_*.c))

.PHONY: bench

# The framer benchmark once more without SSE2: the portable code a Pi runs.
bench:
	@$(MAKE) --no-print-directory all $(BENCH_PROGRAMS)
	@$(MAKE) -s --no-print-directory B=build/portable \
		CFLAGS='-O2 -g -U__SSE2__' build/portable/bench/bench_framer
	B=$(B) PORTABLE_BENCH=build/portable/bench/bench_framer tests/bench.sh

$(B)/bench/%: tests/%.c $(OBJ) | $(B)/bench
	$(CC) $(WARN) $(ALL_CPPFLAGS) $(CFLAGS) -o $@ $< $(OBJ) $(TOP_LIBS) $(LDLIBS)

$(B)/bench:
	mkdir -p $@
