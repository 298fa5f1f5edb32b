/// A deliberately light English stemmer for matching question words against sentences: it folds the
/// inflections that most often separate a question from its answer ("indexes"/"index",
/// "vacuuming"/"vacuum", "reclaimed"/"reclaim", "quickly"/"quick") and nothing more. Both sides go through
/// it, so a stem only has to be consistent, not a real word.
enum LightStemmer {
    static func stem(_ word: String) -> String {
        let w = stripSuffix(word.lowercased())
        // "space"/"spaced", "reuse"/"reused": a final silent e is the difference, so it goes.
        return w.count > 3 && w.hasSuffix("e") ? String(w.dropLast()) : w
    }

    private static func stripSuffix(_ lowercased: String) -> String {
        var w = lowercased
        // Short words and words with digits (versions, identifiers) stay as they are.
        guard w.count > 3, w.allSatisfy(\.isLetter) else { return w }
        if w.hasSuffix("ies"), w.count > 4 {
            w.removeLast(3)
            return w + "y"
        }
        if w.hasSuffix("sses") { return String(w.dropLast(2)) }
        if w.hasSuffix("es"), let before = w.dropLast(2).last, "sxz".contains(before) || w.dropLast(2).hasSuffix("ch")
            || w.dropLast(2).hasSuffix("sh") {
            return String(w.dropLast(2))
        }
        if w.hasSuffix("s"), !w.hasSuffix("ss"), !w.hasSuffix("us"), !w.hasSuffix("is") {
            return String(w.dropLast())
        }
        for suffix in ["ing", "ed", "ly"] where w.hasSuffix(suffix) && w.count - suffix.count >= 3 {
            w.removeLast(suffix.count)
            // "running" → "runn" → "run"; "filled" keeps its double l.
            if let last = w.last, w.count > 3, w.dropLast().last == last, !"lsz".contains(last) { w.removeLast() }
            return w
        }
        return w
    }
}
