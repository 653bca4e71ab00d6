# The README's test command is `make test`.
GO ?= go

.PHONY: test bench fuzz build crash

build:
	$(GO) build -o ritualbot ./cmd/ritualbot

test:
	$(GO) test -race -timeout 8m ./...

# The crash test with more kill points than make test's 24 (docs/BENCHMARKS.md).
crash:
	$(GO) test -run TestSIGKILLDuringAFanOutOrADigestLosesAndRepeatsNothing -count=1 -crash.seeds=200 -timeout 20m ./cmd/ritualbot

# Benchmarks recorded in docs/BENCHMARKS.md.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# A short bounded run of every fuzz target.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 20s ./config
	$(GO) test -run '^$$' -fuzz FuzzParseOnCall -fuzztime 20s ./config
	$(GO) test -run '^$$' -fuzz FuzzParseOverrideEnd -fuzztime 20s ./bot
	$(GO) test -run '^$$' -fuzz '^FuzzParseAlertmanager$$' -fuzztime 20s ./webhooks
	$(GO) test -run '^$$' -fuzz '^FuzzParsePagerDuty$$' -fuzztime 20s ./webhooks
	$(GO) test -run '^$$' -fuzz '^FuzzVerifyPagerDutySignature$$' -fuzztime 20s ./webhooks
	$(GO) test -run '^$$' -fuzz '^FuzzIncidentArgs$$' -fuzztime 20s ./bot
	$(GO) test -run '^$$' -fuzz FuzzTypedText -fuzztime 20s ./bot/slackfake/web
