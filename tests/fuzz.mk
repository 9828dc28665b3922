# libFuzzer over the receive path (tests/fuzz_protocol.c), what a websocket
# server sends (tests/fuzz_ws.c) and the recording reader
# (tests/fuzz_recfile.c: scan, replay, recorder adopt). Needs clang.
#   make fuzz                 fuzz until Ctrl-C (or FUZZ_SECONDS=N)
#   make fuzz-ci              fuzz for FUZZ_CI_SECONDS (60), fail on a crash
# A crash leaves its input in $(B)/fuzz/crash-*; replay it with
#   $(B)/fuzz/fuzz_protocol $(B)/fuzz/crash-...
# and turn it into a unit test before fixing it.

FUZZ_CC ?= clang
FUZZ_DIR := $(B)/fuzz
FUZZ_SECONDS ?= 0
FUZZ_CI_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# Only the pure modules the receive path goes through.
FUZZ_SRCS := $(addprefix src/,framer.c decoder.c pack.c json.c encode.c) \
	$(wildcard src/strbuf.c)
# The recording reader and what it calls (files under /tmp, one a process).
RECFUZZ_SRCS := $(addprefix src/,recfile.c replay.c recorder.c appendfile.c \
	framer.c error.c)
RECFUZZ_RUN := $(FUZZ_DIR)/fuzz_recfile -max_len=70000 -timeout=10 \
	-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/rec- \
	$(FUZZ_DIR)/rec-corpus $(FUZZ_DIR)/rec-seeds
SEED_SRCS := $(addprefix src/,sim.c encode.c framer.c decoder.c)
# The corpus grows as libFuzzer finds new paths; the seeds are rewritten on
# every build from frames.h and the simulator, never kept in git.
FUZZ_RUN := $(FUZZ_DIR)/fuzz_protocol -max_len=4096 -timeout=10 \
	-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ \
	$(FUZZ_DIR)/corpus $(FUZZ_DIR)/seeds

# The websocket client's parsing: net.c with nettle, and libwslay.
FUZZ_WS_RUN := $(FUZZ_DIR)/fuzz_ws -max_len=4096 -timeout=10 \
	-print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ws- \
	$(FUZZ_DIR)/ws-corpus

.PHONY: fuzz fuzz-ci fuzz-build fuzz-ws

$(FUZZ_DIR):
	mkdir -p $@ $@/corpus $@/seeds $@/rec-corpus $@/rec-seeds

$(FUZZ_DIR)/fuzz_protocol: tests/fuzz_protocol.c $(FUZZ_SRCS) \
		$(wildcard include/*.h) | $(FUZZ_DIR)
	$(FUZZ_CC) $(WARN) $(ALL_CPPFLAGS) $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRCS)

$(FUZZ_DIR)/fuzz_recfile: tests/fuzz_recfile.c $(RECFUZZ_SRCS) \
		$(wildcard include/*.h) | $(FUZZ_DIR)
	$(FUZZ_CC) $(WARN) $(ALL_CPPFLAGS) $(FUZZ_FLAGS) -o $@ $< $(RECFUZZ_SRCS)

$(FUZZ_DIR)/fuzz_seeds: tests/fuzz_seeds.c $(SEED_SRCS) tests/frames.h \
		$(wildcard include/*.h) | $(FUZZ_DIR)
	$(FUZZ_CC) $(WARN) $(ALL_CPPFLAGS) -O1 -g -o $@ $< $(SEED_SRCS)

$(FUZZ_DIR)/fuzz_ws: tests/fuzz_ws.c src/net.c src/error.c \
		$(wildcard include/*.h) | $(FUZZ_DIR)
	$(FUZZ_CC) $(WARN) $(ALL_CPPFLAGS) $(FUZZ_FLAGS) -o $@ $< src/net.c \
		src/error.c -lnettle $(WSLAY_LIBS)
	mkdir -p $(FUZZ_DIR)/ws-corpus
	printf '\005HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\202\002$$$$\001\003hi\200\001W\211\000\210\002\003\350' \
		>$(FUZZ_DIR)/ws-corpus/seed-upgrade
	# An empty text message: memcpy from its NULL payload was undefined
	# (found by this fuzzer; source_ws.c and the harness skip it now).
	printf '\005HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\201\000\202\002$$$$' \
		>$(FUZZ_DIR)/ws-corpus/seed-empty-text

fuzz-build: $(FUZZ_DIR)/fuzz_protocol $(FUZZ_DIR)/fuzz_seeds \
		$(FUZZ_DIR)/fuzz_ws $(FUZZ_DIR)/fuzz_recfile $(B)/e2e/e2e_mkrec
	$(FUZZ_DIR)/fuzz_seeds $(FUZZ_DIR)/seeds
	$(B)/e2e/e2e_mkrec $(FUZZ_DIR)/rec-seeds/good.rec 3 1
	printf 'CHARGERY-REC 1\n' >$(FUZZ_DIR)/rec-seeds/magic.rec

# `make fuzz` fuzzes the receive path, then the recording reader (both
# until FUZZ_SECONDS, or Ctrl-C); fuzz-ci gives each FUZZ_CI_SECONDS.
fuzz: fuzz-build
	$(FUZZ_RUN) -max_total_time=$(FUZZ_SECONDS)
	$(RECFUZZ_RUN) -max_total_time=$(FUZZ_SECONDS)

fuzz-ws: fuzz-build
	$(FUZZ_WS_RUN) -max_total_time=$(FUZZ_SECONDS)

fuzz-ci: fuzz-build
	$(FUZZ_RUN) -max_total_time=$(FUZZ_CI_SECONDS)
	$(FUZZ_WS_RUN) -max_total_time=$(FUZZ_CI_SECONDS)
	$(RECFUZZ_RUN) -max_total_time=$(FUZZ_CI_SECONDS)
