import Foundation

/// The message and type a provider put in an error body. Providers disagree on the shape:
/// OpenAI and llama.cpp send `{"error":{"message":…,"type":…}}`, Ollama `{"error":"…"}`, Anthropic
/// `{"type":"error","error":{"type":…,"message":…}}`, and assorted proxies `{"message":…}` or
/// `{"detail":…}`.
struct ProviderErrorBody: Equatable {
    var message: String?
    var type: String?

    static func parse(_ body: Data) -> ProviderErrorBody? {
        guard let object = (try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]))
            as? [String: Any] else { return nil }
        return parse(object)
    }

    static func parse(_ object: [String: Any]) -> ProviderErrorBody? {
        if let error = object["error"] as? [String: Any] {
            let message = error["message"] as? String
            let type = (error["type"] as? String) ?? (error["code"] as? String)
                ?? (error["code"] as? Int).map { String($0) }
            return ProviderErrorBody(message: message, type: type)
        }
        if let message = object["error"] as? String {
            return ProviderErrorBody(message: message, type: object["type"] as? String)
        }
        if let message = object["message"] as? String { return ProviderErrorBody(message: message, type: nil) }
        if let detail = object["detail"] as? String { return ProviderErrorBody(message: detail, type: nil) }
        return nil
    }

    /// The provider's message for a body that is not JSON: short plain text is shown as is, anything
    /// else (an HTML error page) is left out rather than dumped on the person.
    static func fallbackMessage(_ body: Data, mediaType: String?) -> String? {
        guard mediaType == nil || mediaType == "text/plain" else { return nil }
        let text = String(decoding: body.prefix(300), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, !text.hasPrefix("<") else { return nil }
        return body.count > 300 ? text + "…" : text
    }
}
