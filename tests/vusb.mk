# The virtual USB-serial adapter harness (tests/vusb/, run by tests/e2e_vusb.sh).
# Test-only: nothing here is linked into chargery-top or chargery-sim.
#
#   vusb-shim.so  LD_PRELOAD library answering the modem-line ioctls ptys lack
#   vusb-feed     the far side of the adapter: a pty fed by a command
#
# The shim takes the project's warnings and defines but not $(CFLAGS): a
# library preloaded into a sanitized program must not pull in a second
# sanitizer runtime (make check-san), and it needs -fPIC and dlsym instead.

VUSB_DIR := $(B)/vusb
VUSB := $(VUSB_DIR)/vusb-shim.so $(VUSB_DIR)/vusb-feed

.PHONY: vusb
vusb: $(VUSB)

$(VUSB_DIR)/vusb-shim.so: tests/vusb/vusb-shim.c | $(VUSB_DIR)
	$(CC) $(WARN) $(ALL_CPPFLAGS) -O2 -g -fPIC -shared -o $@ $< -ldl

$(VUSB_DIR)/vusb-feed: tests/vusb/vusb-feed.c | $(VUSB_DIR)
	$(CC) $(WARN) $(ALL_CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(VUSB_DIR):
	mkdir -p $@

check: vusb
