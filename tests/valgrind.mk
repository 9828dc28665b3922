# The end-to-end runs under valgrind (tests/valgrind.sh): no memory errors,
# no definite or indirect leaks. About a minute; not part of `make check`.
#   make check-valgrind

.PHONY: check-valgrind

check-valgrind: deps
	@$(MAKE) --no-print-directory all
	@command -v valgrind >/dev/null || { \
		echo "valgrind is missing: sudo apt-get install valgrind"; \
		exit 69; }
	B=$(B) bash tests/valgrind.sh
