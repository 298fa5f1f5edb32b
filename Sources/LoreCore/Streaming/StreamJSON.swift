import Foundation

/// JSON decoding shared by the stream parsers. Small `Decodable` structs with optional fields decode a
/// typical token chunk in a few microseconds (measured on par with JSONSerialization, which would need
/// casts at every step), and ignore the many fields Lore does not read.
enum StreamJSON {
    static func decode<T: Decodable>(_ type: T.Type, from text: String, with decoder: JSONDecoder) -> Result<T, StreamReadError> {
        do {
            return .success(try decoder.decode(type, from: Data(text.utf8)))
        } catch {
            return .failure(StreamReadError(text: text))
        }
    }
}

/// A piece of a stream that is not the JSON it should be.
struct StreamReadError: Error {
    let text: String

    var event: ChatStreamEvent {
        let shown = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return .error(message: "the server sent a stream event that is not valid JSON: \(shown)",
                      type: "invalid_stream")
    }
}

/// An error as servers put it in a stream: an object with a message and a type (OpenAI, Anthropic,
/// llama.cpp) or just a string (Ollama).
struct StreamErrorBody: Decodable, Sendable {
    var message: String?
    var type: String?

    private enum CodingKeys: String, CodingKey { case message, type }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            message = text
            type = nil
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try? container.decodeIfPresent(String.self, forKey: .message)
        type = try? container.decodeIfPresent(String.self, forKey: .type)
    }

    var event: ChatStreamEvent {
        .error(message: message ?? "the server reported an error without a message", type: type)
    }
}

extension StreamErrorBody {
    /// For an error event whose body names no error at all.
    static let unknown = StreamErrorBody(message: nil, type: nil)

    private init(message: String?, type: String?) {
        self.message = message
        self.type = type
    }
}
