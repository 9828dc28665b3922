# Helpers the end-to-end scripts run (tests/e2e_*.c). Test-only: nothing
# here is linked into chargery-top or chargery-sim.
#   e2e_mkrec    a recording made in simulated time (tests/e2e_field.sh)
#   e2e_plotrec  a steady pack with one known spike (tests/e2e_plot.sh)

E2E_HELPERS := $(patsubst tests/%.c,$(B)/e2e/%,$(wildcard tests/e2e_*.c))

$(B)/e2e/%: tests/%.c $(LIB) Makefile | $(B)/e2e
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIB) $(LDLIBS)

$(B)/e2e:
	mkdir -p $@

-include $(E2E_HELPERS:=.d)

check: $(E2E_HELPERS)
