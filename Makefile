# The two commands a user needs: `make demo` and `make test`. Both install what is missing.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all setup build demo test bench clean

all: build

setup:
	@bash scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	$(BUILD_DIR)/vigil demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure

bench: build
	bash bench/etl.sh

clean:
	rm -rf $(BUILD_DIR)
