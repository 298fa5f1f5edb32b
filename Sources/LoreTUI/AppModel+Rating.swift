import LoreCore

/// Rating answers: `+` / `-` in the chat mark the latest answer good or bad for training sets.
extension AppModel {
    /// How long a confirmation stays in the status bar.
    public static let statusNoteSeconds = 3.0

    /// Rates the latest answer, or clears its rating when it already has this one. The rating shows once
    /// the store has it (`rated`), so the screen never claims a rating that was not saved.
    mutating func rateLatest(_ pressed: TurnRating) -> [Effect] {
        guard let e = latestExchange else { return flash("nothing to rate yet") }
        guard !e.isActive else { return flash("wait for the answer to finish, then rate it") }
        guard let turnID = e.stats?.turnID else { return flash("this answer was not saved, so it cannot be rated") }
        return [.rate(turnID: turnID, kb: kbName, rating: TurnRating.toggled(e.rating, pressing: pressed))]
    }

    mutating func rated(_ turnID: String, _ rating: TurnRating?) -> [Effect] {
        for i in items.indices {
            if case .exchange(var e) = items[i], e.stats?.turnID == turnID {
                e.rating = rating
                items[i] = .exchange(e)
            }
        }
        return flash(rating.map { "rated \($0.rawValue) \($0.mark)" } ?? "rating cleared")
    }

    /// Shows `text` in the status bar for a moment.
    mutating func flash(_ text: String) -> [Effect] {
        statusNote = RefreshNote(text: text, at: now)
        return [.tickAfter(seconds: Self.statusNoteSeconds)]
    }

    /// The confirmation while it is fresh.
    var recentStatusNote: String? {
        guard let statusNote, now - statusNote.at < Self.statusNoteSeconds else { return nil }
        return statusNote.text
    }
}
