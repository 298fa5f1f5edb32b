# Lore's build, run and test entry points. Each target first installs the Debian packages Lore needs
# when they are missing (as root directly, otherwise through sudo).

PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libncurses-dev libcurl4-openssl-dev libsqlite3-dev libxml2-dev libcmark-gfm-dev \
                libcmark-gfm-extensions-dev pkg-config tmux
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
LORE := .build/release/lore

.PHONY: deps build run test install uninstall clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product lore

# Opens Lore on the bundled sample knowledge base, indexing it first (incrementally).
run: build
	$(LORE) index --kb ./sample-kb
	$(LORE) --kb ./sample-kb

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel --num-workers 2

install: build
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/lore/themes" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -m 755 $(LORE) "$(DESTDIR)$(PREFIX)/bin/lore"
	install -m 644 themes/*.toml "$(DESTDIR)$(PREFIX)/share/lore/themes/"
	$(LORE) --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lore"
	$(LORE) --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_lore"
	$(LORE) --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/lore.fish"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/lore" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/lore" \
	  "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_lore" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/lore.fish"
	rm -rf "$(DESTDIR)$(PREFIX)/share/lore"

clean:
	rm -rf .build
