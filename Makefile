# Lore's build, run, test and install entry points; scripts/ holds the steps so that they also work
# where make is not installed yet.

PREFIX ?= /usr/local
SWIFT ?= swift
LORE := .build/release/lore

.PHONY: deps build run test install uninstall clean

deps:
	sh scripts/deps.sh

build: deps
	$(SWIFT) build -c release --product lore --static-swift-stdlib

# Opens Lore on the bundled sample knowledge base.
run:
	sh scripts/run.sh

test:
	sh scripts/test.sh

install: build
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/lore/themes" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"
	install -s -m 755 $(LORE) "$(DESTDIR)$(PREFIX)/bin/lore"
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
