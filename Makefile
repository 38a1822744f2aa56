# The two commands a user needs: `make demo` and `make test`. Both install what is missing.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# The Python virtualenv with Airflow for the DAG tests (scripts/setup_airflow.sh makes it).
AIRFLOW_VENV ?= .venv-airflow
# Extra pytest arguments for the Airflow tests, e.g. PYTEST_ARGS="-k etl -x".
PYTEST_ARGS ?=
# Where the browser test saves its page screenshots (`make screenshots`: docs/screenshots).
SCREENSHOT_DIR ?= $(BUILD_DIR)/screenshots

.PHONY: all setup build demo dashboard test test-cluster test-bi test-ch26 test-browser screenshots test-airflow bench clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/vigil demo

# The dashboard of ./vigil.toml's data (e.g. after `make demo`) without the jobs; Ctrl-C ends it.
dashboard: build
	$(BUILD_DIR)/vigil serve --dashboard-only

# The C++ suite (unit + real clickhouse-server 18.16), the dashboard in a browser, the Airflow DAG
# tests, then the ClickHouse-facing tests again against ClickHouse 26.9 (chdb front).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure
	@$(MAKE) --no-print-directory test-browser-only
	@$(MAKE) --no-print-directory test-airflow-only
	@$(MAKE) --no-print-directory test-ch26-only
	@$(MAKE) --no-print-directory test-bi-only

# The cluster tests alone: ZooKeeper and 2 shards x 2 replicas of clickhouse-server on loopback,
# started by the tests (README, A ClickHouse cluster). `make test` runs them too (ctest's `cluster`).
test-cluster: build
	$(BUILD_DIR)/cluster_tests

# Which BI driver reads the slice table from which server (README, BI tools): clickhouse-connect,
# clickhouse-sqlalchemy and clickhouse-driver against clickhouse-server 18.16 and ClickHouse 26.9.
test-bi: build
	@$(MAKE) --no-print-directory test-bi-only

.PHONY: test-bi-only
test-bi-only:
	@python="$$(bash scripts/setup_chdb.sh)" && \
	  VIGIL_BUILD_DIR="$(abspath $(BUILD_DIR))" "$$python" -m pytest -q -p no:cacheprovider tests/bi

# The ClickHouse-facing integration tests against ClickHouse 26.x: chdb-core from PyPI (in-process
# ClickHouse) behind the HTTP front in tests/chdb_front, instead of the managed 18.16 server; `make
# test` ends with it (see README, ClickHouse versions). Tests that stop or kill a managed server
# themselves are left out: they need clickhouse-server. CH26_FILTER narrows or widens the run.
CH26_SUITES = EtlTest ReportTest AlertTest BucketTableTest ExplainTest ExplainLikesTest BacktestSliceCli DashboardTest \
  DashboardHttpTest FirstEventTest SimSliceTest SimSliceMigration SimSliceRefusal OddCellTest \
  OddCellRealServerTest ClickHouseClient AlertDeliveryTest AlertTwoPartDeliveryTest OutDirTest \
  ServeTest ServeRestartTest DashboardServeTest ChatServe FeedbackCli
CH26_NEEDS_A_SERVER = EtlTest.ServerStoppedBetweenStagingAndLoadThenRerun \
  EtlTest.ReloadedDaySurvivesRestartsWithoutDoubling
empty :=
space := $(empty) $(empty)
CH26_FILTER ?= $(subst $(space),:,$(addsuffix .*,$(CH26_SUITES)))-$(subst $(space),:,$(CH26_NEEDS_A_SERVER))
test-ch26: build
	@$(MAKE) --no-print-directory test-ch26-only

.PHONY: test-ch26-only
test-ch26-only:
	@VIGIL_CHDB_PYTHON="$$(bash scripts/setup_chdb.sh)" && export VIGIL_CHDB_PYTHON && \
	  VIGIL_TEST_CLICKHOUSE=chdb $(BUILD_DIR)/integration_tests --gtest_filter='$(CH26_FILTER)'

# The dashboard in headless Chromium (Debian's chromium, driven by playwright-core from npm):
# demo data on a managed ClickHouse, every page checked against its own SQL, screenshots saved.
test-browser: build
	@$(MAKE) --no-print-directory test-browser-only

# The README's screenshots of the dashboard pages, taken by the browser test.
screenshots: build
	@$(MAKE) --no-print-directory test-browser-only SCREENSHOT_DIR=docs/screenshots

.PHONY: test-browser-only
test-browser-only:
	@bash scripts/setup_browser.sh >/dev/null
	VIGIL_BUILD_DIR="$(abspath $(BUILD_DIR))" VIGIL_SCREENSHOT_DIR="$(abspath $(SCREENSHOT_DIR))" node --test tests/browser/dashboard.test.mjs

# The Airflow DAG tests alone: real Airflow 3 from PyPI, real ClickHouse, the fake Bot API.
test-airflow: build
	@$(MAKE) --no-print-directory test-airflow-only

# Any non-zero pytest exit fails, including 5 ("no tests collected").
.PHONY: test-airflow-only
test-airflow-only:
	@VIGIL_AIRFLOW_VENV="$(abspath $(AIRFLOW_VENV))" bash scripts/setup_airflow.sh >/dev/null
	VIGIL_BUILD_DIR="$(abspath $(BUILD_DIR))" "$(abspath $(AIRFLOW_VENV))/bin/pytest" -c airflow/pytest.ini airflow/tests $(PYTEST_ARGS)

# Every benchmark, each with its reference run (a few minutes).
bench: build
	@for b in etl cluster report alert detect dashboard field; do bash bench/$$b.sh || exit 1; done

clean:
	rm -rf $(BUILD_DIR)
