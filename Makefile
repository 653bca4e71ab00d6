# The README's test command is `make test`.
GO ?= go

.PHONY: test bench fuzz build crash

build:
	$(GO) build -o ritualbot ./cmd/ritualbot

# The race detector slows code several times over, so the tests of timing
# guarantees (acks of a burst within Slack's 3 s) run again without it.
test:
	$(GO) test -race -timeout 8m ./...
	$(GO) test -count=1 -run 'TestSocketModeAcksABurstOf500Envelopes' ./cmd/ritualbot

# The crash test with more kill points than make test's 24 (docs/BENCHMARKS.md).
crash:
	$(GO) test -run TestSIGKILLDuringAFanOutOrADigestLosesAndRepeatsNothing -count=1 -timeout 20m ./cmd/ritualbot -crash.seeds=200

# Every benchmark recorded in docs/BENCHMARKS.md, then the load tests
# (HTTP mode at 200 requests/s for 30 s; a burst of 500 Socket Mode
# envelopes). Their figures print with -v.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	RITUALBOT_LOAD=1 $(GO) test -count=1 -timeout 5m -run 'TestLoadHTTP|TestSocketModeAcksABurstOf500Envelopes' -v ./cmd/ritualbot

# A short bounded run of every fuzz target, FUZZTIME each (25 targets: about
# three to four minutes on two cores, builds included). A target not listed
# here fails the run, so a new one cannot be forgotten. Crashers land in the
# package's testdata/fuzz/FuzzXxx/ and are kept as seeds once fixed.
# .ci/fuzz-target runs each, again (up to three runs) if Go 1.26's coordinator stopped it
# with its known deadline error and no finding (golang/go#75804).
FUZZTIME ?= 5s
FUZZ_TARGETS = \
	./config:FuzzParse ./config:FuzzParseOnCall \
	./rituals/standup:FuzzClip ./rituals/standup:FuzzParseStandupRef \
	./rituals/when:FuzzMoment ./rituals:FuzzMentions \
	./bot:FuzzParseOverrideEnd ./bot:FuzzIncidentArgs ./bot:FuzzSlackText \
	./bot:FuzzInteractionPayload ./bot:FuzzSlackRequest ./bot:FuzzVerifySignature \
	./webhooks:FuzzParseAlertmanager ./webhooks:FuzzParsePagerDuty ./webhooks:FuzzVerifyPagerDutySignature \
	./webhooks:FuzzParseDeploy ./webhooks:FuzzParseDeploymentStatus ./webhooks:FuzzParsePush \
	./webhooks:FuzzVerifyGitHubSignature ./webhooks:FuzzDecodeAlertmanager \
	./webhooks:FuzzParseRelease \
	./store:FuzzDecodeDeploy ./store:FuzzReplaceInJSON \
	./slackfake/web:FuzzTypedText \
	./cmd/ritualbot:FuzzSlashCommands

fuzz:
	@missing=$$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' . | sed 's/^func //' | sort -u | \
		while read f; do echo " $(FUZZ_TARGETS) " | grep -q ":$$f " || echo "$$f"; done); \
	if [ -n "$$missing" ]; then echo "fuzz targets not in FUZZ_TARGETS: $$missing"; exit 1; fi
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		.ci/fuzz-target $$pkg $$name $(FUZZTIME) $(GO); \
	done
