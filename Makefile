# SPDX-License-Identifier: GPL-2.0-only
#
# make                build/usernsguard (BPF object embedded as a skeleton)
# make STATIC=1       the same, statically linked (the guest initramfs uses it)
# make test           unit, CLI and fuzz tests, then the package and guest tests
#                     (side by side) on Debian's 6.1, 6.12, 6.18 and newest stable kernel
# make unit-test      unit tests only (Criterion, under ASan and UBSan)
# make cli-test       the command-line contract (help, exit codes), on the host
# make guest-test     guest tests only; KERNELS="6.1 6.12 6.18 stable" picks kernels
# make fuzz           run each libFuzzer harness for FUZZ_SECONDS (default 60)
# make demo           boot a guest, load a policy, show a denial and counters
# make bench          hook overhead and event throughput in guests (bench/results.md);
#                     BENCH_KERNELS (default 6.1 6.12) picks kernels
# make vmlinux        regenerate vmlinux/vmlinux.h from this machine's BTF
# make install        binary, man pages, example policy, systemd unit; PREFIX
#                     (default /usr/local) and DESTDIR as usual; make uninstall
# make pkg-test       install layout, unit, .deb build + lintian, install in a chroot
# make V=1 ...        show every command

BUILD      ?= build
CLANG      ?= clang
CC         ?= cc
BPFTOOL    ?= bpftool
LLVM_STRIP ?= llvm-strip
ARCH       := x86
KERNELS    ?= 6.1 6.12 6.18 stable
# The benchmark report compares 6.1 and 6.12, and each kernel costs about
# 20 minutes of boots; a KERNELS given to make picks them too.
BENCH_KERNELS ?= $(if $(filter command line environment%,$(origin KERNELS)),$(KERNELS),6.1 6.12)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARNINGS   := -Wall -Wextra -Werror
INCLUDES   := -Iinclude -I$(BUILD)
CFLAGS     ?= -O2 -g
# override: a CFLAGS given on the command line (as packaging tools may) must
# not drop the warnings or the include paths.
override CFLAGS += $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $(INCLUDES) -MMD -MP
# -mcpu=v3: 32-bit compares and ALU (kernel 5.1+), no shift pairs to
# truncate every int: hooks run on every lookup, instructions count.
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) $(WARNINGS) \
	      -Wno-unused-parameter \
	      -Wno-unused-function -Iinclude -Ivmlinux -I$(BUILD) -MMD -MP
LIBS       := -lbpf -lelf -lz -lmd -ljson-c

# The journal output (events --output journal) links libsystemd, which
# Debian ships without a static archive: the static build (guest
# initramfs) goes without it and says so when asked for the journal.
ifeq ($(STATIC),1)
JOURNAL    ?= 0
else
JOURNAL    ?= 1
endif
ifeq ($(JOURNAL),1)
override CFLAGS += -DUG_HAVE_JOURNAL
LIBS       += -lsystemd
endif

ifeq ($(STATIC),1)
LDFLAGS    += -static
# libelf may pull in zstd compression on newer Debian releases.
LIBS       += $(shell pkg-config --static --libs-only-l libelf 2>/dev/null | sed 's/-lelf//')
BIN_DIR    := $(BUILD)/static
else
BIN_DIR    := $(BUILD)
endif

USER_SRCS  := $(wildcard user/*.c)
USER_OBJS  := $(patsubst user/%.c,$(BIN_DIR)/obj/%.o,$(USER_SRCS))
SKEL       := $(BUILD)/usernsguard.skel.h
BPF_OBJ    := $(BUILD)/usernsguard.bpf.o

# Unit tests link the parts of the loader that need no kernel.
UNIT_SRCS  := $(wildcard tests/unit/*.c)
UNIT_LIB   := user/policy.c user/resolve.c user/unit_file.c user/mark_ancestry.c user/util.c user/idmap_file.c user/event_format.c user/json_writer.c \
	      user/subid.c user/mark_pool.c user/oci_config.c user/idmap_lint.c user/userns_scan.c user/scan_format.c \
	      user/metrics_format.c user/cgroup_identity.c user/ocsf_format.c user/journal_fields.c \
	      user/prog_needs.c user/policy_files.c
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

GUEST_SRCS := $(wildcard tests/guest/*.c)
GUEST_BINS := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(filter-out tests/guest/guest_test.c,$(GUEST_SRCS)))

.PHONY: all clean test unit-test cli-test guest-test demo vmlinux fmt fuzz fuzz-smoke bench bench-bins
.DELETE_ON_ERROR:

all: $(BIN_DIR)/usernsguard

$(BPF_OBJ): bpf/usernsguard.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@ # DWARF only: BTF stays, the embedded object shrinks

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name usernsguard_bpf > $@

$(BIN_DIR)/obj/%.o: user/%.c $(SKEL) | $(BIN_DIR)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BIN_DIR)/usernsguard: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LIBS) -o $@

$(BUILD) $(BIN_DIR)/obj $(BUILD)/unit $(BUILD)/guest:
	$(Q)mkdir -p $@

# The loader under ASan and UBSan: the CLI tests and a guest boot run it.
ASAN_OBJS  := $(patsubst user/%.c,$(BUILD)/asan/obj/%.o,$(USER_SRCS))

$(BUILD)/asan/obj/%.o: user/%.c $(SKEL) | $(BUILD)/asan/obj
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/asan/usernsguard: $(ASAN_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $^ $(LIBS) -o $@

$(BUILD)/asan/obj:
	$(Q)mkdir -p $@

# --- unit tests --------------------------------------------------------------
$(BUILD)/unit/%: tests/unit/%.c $(UNIT_LIB) | $(BUILD)/unit
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Iuser $< $(UNIT_LIB) -lcriterion -lmd -ljson-c -o $@

UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

unit-test: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t --jobs 1; done

# --- fuzzing -----------------------------------------------------------------
FUZZ_SECONDS ?= 60
FUZZERS    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/*.c))
FUZZ_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      $(WARNINGS) -std=gnu11 -D_GNU_SOURCE $(INCLUDES) -Iuser

$(BUILD)/fuzz/%: tests/fuzz/%.c $(UNIT_LIB) | $(BUILD)/fuzz
	$(call msg,CC-FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $< $(UNIT_LIB) -lmd -ljson-c -o $@

$(BUILD)/fuzz:
	$(Q)mkdir -p $@

# New inputs go to build/fuzz/corpus-*; the committed seeds stay untouched.
fuzz: $(FUZZERS)
	$(Q)for f in $(FUZZERS); do n=$${f##*/fuzz_}; \
		mkdir -p $(BUILD)/fuzz/corpus-$$n; echo "== fuzz $$n for $(FUZZ_SECONDS)s"; \
		if ! $$f -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(BUILD)/fuzz/crash-$$n- \
			$(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n >$(BUILD)/fuzz/$$n.log 2>&1; then \
			tail -n 40 $(BUILD)/fuzz/$$n.log; echo "fuzz $$n: FAILED (input kept in $(BUILD)/fuzz)"; \
			exit 1; fi; grep -E '^Done [0-9]+ runs' $(BUILD)/fuzz/$$n.log; done

# --- guest tests -------------------------------------------------------------
$(BUILD)/guest/%: tests/guest/%.c tests/guest/guest_test.c tests/guest/guest_test.h | $(BUILD)/guest
	$(call msg,CC-GUEST,$@)
	$(Q)$(CC) $(CFLAGS) -static -Itests/guest $< tests/guest/guest_test.c -luring -o $@

guest-bins: $(GUEST_BINS) $(BUILD)/asan/usernsguard
	$(Q)$(MAKE) --no-print-directory STATIC=1 $(BUILD)/static/usernsguard

guest-test: guest-bins
	$(Q)scripts/guest-test.sh $(KERNELS)

# The metrics formatter on a sample state, for promtool in the CLI tests.
$(BUILD)/unit/metrics_sample: tests/cli/metrics_sample.c $(UNIT_LIB) | $(BUILD)/unit
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -Iuser $< $(UNIT_LIB) -lmd -ljson-c -o $@

cli-test: $(BUILD)/usernsguard $(BUILD)/asan/usernsguard $(BUILD)/unit/metrics_sample
	$(Q)UG_METRICS_SAMPLE=$(BUILD)/unit/metrics_sample tests/cli/test_cli.sh $(BUILD)/usernsguard
	$(Q)ASAN_OPTIONS=detect_leaks=1 tests/cli/test_cli.sh $(BUILD)/asan/usernsguard
	$(Q)tests/cli/test_deploy.sh $(BUILD)/usernsguard

# The two guest-booting suites run side by side (scripts/test-guests.sh).
test: unit-test cli-test fuzz-smoke guest-bins
	$(Q)scripts/test-guests.sh $(KERNELS)

# CI's bounded fuzzing run.
fuzz-smoke:
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(or $(FUZZ_SMOKE_SECONDS),20)

# --- benchmarks ----------------------------------------------------------------
# The floor program is generated from the product's own object: one empty
# program per hook it attaches to.
BENCH_DIR  := $(BUILD)/bench
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))
BENCH_SKELS := $(BENCH_DIR)/floor.skel.h $(BENCH_DIR)/needed.skel.h $(BENCH_DIR)/storm.skel.h
STATIC_LIBS := -lbpf -lelf -lz $(shell pkg-config --static --libs-only-l libelf 2>/dev/null | sed 's/-lelf//')

$(BENCH_DIR):
	$(Q)mkdir -p $@

$(BENCH_DIR)/floor.bpf.c: $(BPF_OBJ) scripts/gen-floor-bpf.sh | $(BENCH_DIR)
	$(call msg,GEN,$@)
	$(Q)scripts/gen-floor-bpf.sh $(BPF_OBJ) > $@

# The needed floor writes the hooks it reads on itself; the rest is the floor's.
$(BENCH_DIR)/needed-empty.inc: $(BPF_OBJ) scripts/gen-floor-bpf.sh Makefile | $(BENCH_DIR)
	$(call msg,GEN,$@)
	$(Q)scripts/gen-floor-bpf.sh --except inode_permission,task_fix_setuid,task_fix_setgid,cred_free,path_chown,path_truncate,inode_setattr,inode_setxattr \
		--prefix needed $(BPF_OBJ) > $@

$(BENCH_DIR)/needed.bpf.o: $(BENCH_DIR)/needed-empty.inc $(wildcard bpf/*.bpf.h)

$(BENCH_DIR)/%.bpf.o: $(BENCH_DIR)/%.bpf.c | $(BENCH_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/%.bpf.o: bench/%.bpf.c | $(BENCH_DIR)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_DIR)/%.skel.h: $(BENCH_DIR)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BENCH_DIR)/bench: $(BENCH_SRCS) bench/bench.h tests/guest/guest_test.c $(BENCH_SKELS)
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -static -Ibench -Itests/guest -I$(BENCH_DIR) $(BENCH_SRCS) \
		tests/guest/guest_test.c $(STATIC_LIBS) -o $@

# Kept: the skeletons are generated from them.
.SECONDARY: $(BENCH_DIR)/floor.bpf.o $(BENCH_DIR)/needed.bpf.o $(BENCH_DIR)/storm.bpf.o \
	    $(BENCH_DIR)/floor.bpf.c

bench-bins: guest-bins $(BENCH_DIR)/bench

bench: bench-bins
	$(Q)scripts/bench.sh $(BENCH_KERNELS)

demo: guest-bins
	$(Q)scripts/demo.sh

# --- install -----------------------------------------------------------------
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
# podman and CRI-O read OCI hooks from here (oci-hooks(5)).
HOOKSDIR   ?= $(PREFIX)/share/containers/oci/hooks.d
# journalctl -x explains each MESSAGE_ID from here (systemd's dpkg trigger
# rebuilds the catalog database on install).
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
EXAMPLEDIR ?= $(PREFIX)/share/doc/usernsguard/examples
POLICY_DST := $(DESTDIR)$(SYSCONFDIR)/usernsguard/policy.conf

.PHONY: install uninstall pkg-test fleet-test

# The unit names the installed binary and policy, so it is written here,
# from the template, with this install's paths. An existing policy is an
# administrator's: it is never overwritten.
install: $(BIN_DIR)/usernsguard
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(SYSCONFDIR)/usernsguard $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BIN_DIR)/usernsguard $(DESTDIR)$(SBINDIR)/usernsguard
	install -m 0644 man/usernsguard.8 $(DESTDIR)$(MANDIR)/man8/usernsguard.8
	install -m 0644 man/usernsguard.conf.5 $(DESTDIR)$(MANDIR)/man5/usernsguard.conf.5
	for unit in usernsguard usernsguard-events; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
			systemd/$$unit.service.in >$(BUILD)/$$unit.service && \
		install -m 0644 $(BUILD)/$$unit.service $(DESTDIR)$(UNITDIR)/$$unit.service || exit 1; \
	done
	install -d $(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(EXAMPLEDIR)
	install -m 0644 systemd/usernsguard.catalog $(DESTDIR)$(CATALOGDIR)/usernsguard.catalog
	install -m 0644 examples/rsyslog-usernsguard.conf $(DESTDIR)$(EXAMPLEDIR)/rsyslog-usernsguard.conf
	install -d $(DESTDIR)$(HOOKSDIR)
	for stage in createRuntime poststop; do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' oci/usernsguard-$$stage.json.in \
			>$(BUILD)/usernsguard-$$stage.json && \
		install -m 0644 $(BUILD)/usernsguard-$$stage.json \
			$(DESTDIR)$(HOOKSDIR)/usernsguard-$$stage.json || exit 1; \
	done
	@if [ -e $(POLICY_DST) ]; then echo "install: kept the existing $(POLICY_DST)"; \
	else install -m 0644 etc/usernsguard/policy.conf $(POLICY_DST); fi

# Files only, never the policy once edited, and never an unload: switching
# enforcement off stays an explicit `usernsguard unload`.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/usernsguard $(DESTDIR)$(MANDIR)/man8/usernsguard.8 \
		$(DESTDIR)$(MANDIR)/man5/usernsguard.conf.5 $(DESTDIR)$(UNITDIR)/usernsguard.service \
		$(DESTDIR)$(UNITDIR)/usernsguard-events.service $(DESTDIR)$(CATALOGDIR)/usernsguard.catalog \
		$(DESTDIR)$(EXAMPLEDIR)/rsyslog-usernsguard.conf \
		$(DESTDIR)$(HOOKSDIR)/usernsguard-createRuntime.json \
		$(DESTDIR)$(HOOKSDIR)/usernsguard-poststop.json
	@if cmp -s etc/usernsguard/policy.conf $(POLICY_DST); then rm -f $(POLICY_DST); \
	elif [ -e $(POLICY_DST) ]; then echo "uninstall: kept the edited $(POLICY_DST)"; fi
	@if [ -d $(DESTDIR)$(SYSCONFDIR)/usernsguard ]; then \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SYSCONFDIR)/usernsguard; fi
	@if [ -d $(DESTDIR)$(EXAMPLEDIR) ]; then rmdir --ignore-fail-on-non-empty \
		$(DESTDIR)$(EXAMPLEDIR) $(dir $(DESTDIR)$(EXAMPLEDIR)); fi

# Builds in its own copy of the tracked files, so nothing here is a prerequisite.
pkg-test:
	$(Q)tests/pkg/test_package.sh

# The Ansible role on two systemd guests over ssh (about 15 minutes; not in `make test`).
fleet-test:
	$(Q)tests/fleet/fleet_test.sh

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

clean:
	rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*.d $(BUILD)/obj/*.d $(BUILD)/static/obj/*.d $(BUILD)/asan/obj/*.d $(BUILD)/unit/*.d $(BUILD)/guest/*.d)
