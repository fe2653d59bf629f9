# The two commands of the README, plus conveniences. Everything real lives in scripts/.
.PHONY: run test build debug fuzz db-start db-stop db-destroy bench-http clean

run:        ## install, build, start PostgreSQL, migrate, serve all-in-one on :8088
	@scripts/run.sh

test:       ## install, build, run every test against a throwaway PostgreSQL
	@scripts/test.sh

build:
	@scripts/install-deps.sh && scripts/build.sh Release

debug:
	@TICKETLY_BUILD_DIR=build-debug scripts/build.sh Debug

fuzz:       ## libFuzzer (clang) over the parsers of untrusted input, FUZZ_SECONDS per target
	@scripts/fuzz.sh

db-start:
	@scripts/pg.sh start
db-stop:
	@scripts/pg.sh stop
db-destroy:
	@scripts/pg.sh destroy

bench-http: ## wrk against /health and nginx in the same run (docs/BENCHMARKS.md)
	@bench/http/run.sh

clean:
	rm -rf build build-debug build-fuzz
