import LoreCore

/// Draws the whole screen for `model`. Pure: the same model always gives the same buffer, which is what
/// the snapshot tests compare and what the runtime diffs against the previous frame. It lays the screen out
/// and gives each pane only what it draws.
public func view(_ model: AppModel) -> ScreenBuffer {
    var buffer = ScreenBuffer(rows: model.rows, cols: model.cols, fill: TextStyle(.foreground, on: .background))
    let keys = KeyMap.default
    if model.tooSmall {
        TooSmallNoticeView(rows: model.rows, cols: model.cols,
                           quitHint: keys.bindings(in: .tooSmall).map { "\($0.keys) to \($0.help)" }.joined(separator: ", "))
            .draw(into: &buffer)
        return buffer
    }
    let layout = Layout(model)
    model.chatPane.draw(into: &buffer, in: layout.chat)
    if model.sideBySide {
        for r in layout.main.row..<(layout.main.row + layout.main.height) {
            buffer.put("│", row: r, col: layout.separatorCol, style: TextStyle(.muted, on: .background))
        }
        model.sourcesPane.draw(into: &buffer, in: layout.sources)
    } else if model.sourcesOverlayVisible {
        model.sourcesPane.draw(into: &buffer, in: layout.sources)
    }
    model.statusBar.draw(into: &buffer, in: Rect(row: layout.statusRow, col: 0, height: 1, width: model.cols))
    InputLineView(input: model.input, focused: model.focus == .input && model.overlay == nil, streaming: model.isStreaming)
        .draw(into: &buffer, in: layout.input)
    if model.focus == .input && model.overlay == nil {
        CompletionMenuView(items: SlashCommand.completions(for: model.input.text, themes: model.themeNames),
                           selection: model.completionSelection)
            .draw(into: &buffer, in: Rect(row: 0, col: 0, height: layout.statusRow, width: model.cols))
    }
    let screen = Rect(row: 0, col: 0, height: model.rows, width: model.cols)
    switch model.overlay {
    case .help?:
        HelpOverlayView(keyMap: keys, commands: SlashCommand.allCases).draw(into: &buffer, in: screen)
    case .knowledgeBases(let picker)?:
        let footer: KeyBinding.Section = switch picker.mode {
        case .browse: .knowledgeBases
        case .addPath: .addFolder
        case .confirmRemove: .confirmRemove
        }
        PickerOverlayView(picker: picker, knowledgeBases: model.knowledgeBases, listed: model.knowledgeBasesListed,
                          currentName: model.kbName, footer: keys.hints(footer))
            .draw(into: &buffer, in: screen)
    case .history(let picker)?:
        HistoryOverlayView(picker: picker, kbName: model.kbName, hints: keys.hints(.history)).draw(into: &buffer, in: screen)
    case .viewer(let viewer)?:
        let hints = keys.bindings(in: .viewer).map { binding in
            binding.strokes.contains { $0.action == .openInEditor }
                ? "\(binding.keys) \(DocumentViewerCommand.openHint(for: viewer.passage, viewer: model.pdfViewer))"
                : binding.hint
        }
        SourceViewerView(viewer: viewer, tick: model.tick, footer: hints.joined(separator: " · "))
            .draw(into: &buffer, in: Rect(row: 0, col: 0, height: layout.statusRow, width: model.cols))
    case nil:
        break
    }
    return buffer
}

/// The panes as the model sees them, for the composer and for `update`, which measures the chat.
extension AppModel {
    var chatPane: ChatPaneView {
        ChatPaneView(items: items, kbName: kbName, highlightedCitation: focus != .input ? sourcesSelection + 1 : nil,
                     scroll: chatScroll, tick: tick)
    }

    var sourcesPane: SourcesPaneView {
        SourcesPaneView(exchange: latestExchange, selection: sourcesSelection, focused: focus == .sources,
                        showsSelection: focus != .input, roots: kb?.paths ?? [])
    }

    var statusBar: StatusBarView {
        var answering = StatusBarView.Answering.idle
        if let active = activeAnswer {
            answering = .thinking
            for item in items {
                if case .exchange(let e) = item, e.requestID == active, !e.answer.isEmpty {
                    var rate: Int?
                    // Each streamed piece is about one token with the servers Lore speaks to.
                    if let start = e.streamStartedAt, now - start >= 0.5 {
                        rate = Int((Double(e.deltas) / (now - start)).rounded())
                    }
                    answering = .streaming(tokensPerSecond: rate)
                }
            }
        }
        return StatusBarView(kbName: kbName, kb: kb, index: index, watch: watch, refresh: recentRefresh, note: recentStatusNote,
                             model: model, answering: answering,
                             lastTokensPerSecond: latestExchange?.stats?.tokensPerSecond,
                             retrievalMillis: latestExchange?.retrievalMillis, showsSourcesKey: !sideBySide, tick: tick)
    }
}
